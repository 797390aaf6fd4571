// Node-RED 4.1 settings for a Loyalty Edge store (loaded with --settings by
// loyalty-node-red.service). Secrets come from /etc/loyalty-edge/node-red.env (0640),
// never from this file, so it can ship in the release unchanged.
const path = require('node:path');

const home = process.env.LOYALTY_EDGE_HOME || '/opt/loyalty-edge/current';
// bcryptjs ships with Node-RED; resolve it from the release, not from this folder.
const bcrypt = require(
  require.resolve('bcryptjs', { paths: [path.join(home, 'node_modules', 'node-red'), home] }),
);

const required = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: see /etc/loyalty-edge/node-red.env`);
  return value;
};

module.exports = {
  // Loopback only: the editor is reached through an SSH tunnel, never from the shop network.
  uiHost: '127.0.0.1',
  uiPort: 1880,
  flowFile: 'flows.json',
  // Encrypts flows_cred.json (the MQTT password of the node-red integration, for one).
  credentialSecret: required('NODE_RED_CREDENTIAL_SECRET'),
  adminAuth: {
    type: 'credentials',
    users: [
      {
        username: process.env.NODE_RED_ADMIN_USER || 'admin',
        password: bcrypt.hashSync(required('NODE_RED_ADMIN_PASSWORD'), 10),
        permissions: '*',
      },
    ],
  },
  // The release's own nodes; nothing is installed from npm on a store device.
  nodesDir: [path.join(home, 'flows')],
  externalModules: {
    autoInstall: false,
    palette: { allowInstall: false, allowUpdate: false, allowUpload: false },
    modules: { allowInstall: false },
  },
  editorTheme: {
    palette: { editable: false },
    projects: { enabled: false },
    tours: false,
  },
  diagnostics: { enabled: false, ui: false },
  telemetry: { enabled: false },
  // HTTP-in endpoints (the HTTP till adapter of flows/examples) on the same loopback-only
  // listener: a till on the shop network reaches them through a reverse proxy, if at all.
  httpNodeRoot: '/',
  httpStatic: false,
  logging: { console: { level: 'info', metrics: false, audit: false } },
  exportGlobalContextKeys: false,
  functionExternalModules: false,
  functionTimeout: 5,
  // Applies to every function node, imported flows included (functionTimeout is only the
  // editor's default for new nodes): a spinning flow is stopped, not left to starve Node-RED.
  globalFunctionTimeout: 10,
};
