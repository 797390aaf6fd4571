'use strict';
/**
 * Node-RED 4.1 settings for a Loyalty Edge device (docs/node-red.md). Run as
 *   node node_modules/node-red/red.js --settings flows/settings/settings.js
 * by its own systemd service, so a bad flow can never take the gateway down
 * (architecture.md). Everything device-specific comes from the environment (the unit's
 * EnvironmentFile); nothing secret is in this file, so it ships unchanged in the release.
 *
 * Required:  LOYALTY_NODE_RED_CREDENTIAL_SECRET  encrypts flows_cred.json (the gateway secret)
 *            LOYALTY_NODE_RED_ADMIN_HASH         bcrypt hash of the editor password
 *                                                (`npx node-red admin hash-pw`), or
 *            LOYALTY_NODE_RED_ADMIN_PASSWORD     the password itself, hashed here at start
 *                                                (what pi-setup.sh writes, 0640, so the
 *                                                technician can read it with sudo)
 * Optional:  LOYALTY_NODE_RED_USER_DIR (default /var/lib/loyalty-edge/node-red),
 *            LOYALTY_NODE_RED_PORT (1880), LOYALTY_NODE_RED_ADMIN_USER (admin),
 *            LOYALTY_NODE_RED_LOG_LEVEL (info), LOYALTY_NODE_RED_FUNCTION_TIMEOUT (10 s).
 * Memory:    cap the heap in the unit: Environment=NODE_OPTIONS=--max-old-space-size=256
 */
const path = require('node:path');

const env = process.env;

/** @param {string} name @returns {string} */
const required = (name) => {
  const value = env[name];
  // Fail closed: without these the editor would be open or the credentials unreadable.
  if (!value) throw new Error(`${name} is not set (see docs/node-red.md)`);
  return value;
};

/** The editor password as a bcrypt hash: given as one, or hashed with Node-RED's own bcryptjs. */
const adminHash = (() => {
  const password = env.LOYALTY_NODE_RED_ADMIN_PASSWORD;
  if (password && !env.LOYALTY_NODE_RED_ADMIN_HASH) {
    const nodeRed = path.dirname(require.resolve('node-red/package.json'));
    return require(require.resolve('bcryptjs', { paths: [nodeRed] })).hashSync(password, 10);
  }
  const hash = required('LOYALTY_NODE_RED_ADMIN_HASH');
  if (!/^\$2[aby]\$\d\d\$.{53}$/.test(hash))
    throw new Error('LOYALTY_NODE_RED_ADMIN_HASH must be a bcrypt hash (npx node-red admin hash-pw)');
  return hash;
})();

const functionTimeout = Number(env.LOYALTY_NODE_RED_FUNCTION_TIMEOUT || 10);

module.exports = {
  // Loopback only: the editor and the HTTP adapters are reached from the Pi itself or
  // through an SSH tunnel, never from the shop network.
  uiHost: '127.0.0.1',
  uiPort: Number(env.LOYALTY_NODE_RED_PORT || 1880),
  userDir: env.LOYALTY_NODE_RED_USER_DIR || '/var/lib/loyalty-edge/node-red',
  // Relative to userDir: flows.json and flows_cred.json live in the data dir.
  flowFile: 'flows.json',
  flowFilePretty: true,
  credentialSecret: required('LOYALTY_NODE_RED_CREDENTIAL_SECRET'),

  adminAuth: {
    type: 'credentials',
    users: [
      {
        username: env.LOYALTY_NODE_RED_ADMIN_USER || 'admin',
        password: adminHash,
        permissions: '*',
      },
    ],
  },

  // This package's nodes (flows/): the only ones besides the core nodes. Nothing is
  // installed from npm on a store device, neither through the palette nor by a flow.
  nodesDir: [path.resolve(__dirname, '..')],
  externalModules: {
    autoInstall: false,
    palette: { allowInstall: false, allowUpdate: false, allowUpload: false },
    modules: { allowInstall: false },
  },
  functionExternalModules: false,
  // A function node stuck in a loop is stopped after this many seconds (0: never).
  globalFunctionTimeout: Number.isFinite(functionTimeout) && functionTimeout >= 0 ? functionTimeout : 10,
  functionTimeout: 0,

  editorTheme: {
    palette: { catalogues: [] },
    projects: { enabled: false },
    tours: false,
  },

  // The daily summary keeps its running totals in flow context: persist them, so a
  // restart during the day loses at most the last 30 s.
  contextStorage: {
    default: { module: 'localfilesystem', config: { flushInterval: 30 } },
  },

  httpAdminRoot: '/',
  httpNodeRoot: '/',

  diagnostics: { enabled: true, ui: false },
  telemetry: { enabled: false },
  runtimeState: { enabled: false, ui: false },
  exportGlobalContextKeys: false,
  logging: {
    console: { level: env.LOYALTY_NODE_RED_LOG_LEVEL || 'info', metrics: false, audit: false },
  },
};
