/**
 * Every key path a JSON Schema (as z.toJSONSchema writes it) lets a file hold, in the
 * form the docs use: `mqtt.port`, `readers[].baudRate`, `earn[].when.daysOfWeek`. Derived
 * from the product's own schemas, so a new key shows up here without anyone listing it.
 */
type Node = {
  properties?: Record<string, Node>;
  items?: Node;
  anyOf?: Node[];
  oneOf?: Node[];
  allOf?: Node[];
  $ref?: string;
  definitions?: Record<string, Node>;
};

export const keyPaths = (root: object): string[] => {
  const schema = root as Node;
  const out = new Set<string>();
  const walk = (node: Node | undefined, prefix: string, depth: number): void => {
    if (!node || depth > 12) return;
    if (node.$ref) {
      const name = node.$ref.replace(/^#\/definitions\//, '');
      walk(schema.definitions?.[name], prefix, depth + 1);
      return;
    }
    for (const branch of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])])
      walk(branch, prefix, depth + 1);
    if (node.items) walk(node.items, `${prefix}[]`, depth + 1);
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      out.add(path);
      walk(child, path, depth + 1);
    }
  };
  walk(schema, '', 0);
  return [...out];
};
