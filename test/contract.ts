// Which parts of a contract SDL a schema lacks or types differently. The schema may
// have more (types, fields, arguments, enum values); it may not have less or other.
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  astFromValue,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  isUnionType,
  print,
} from 'graphql';

const kindOf = (t: GraphQLNamedType): string =>
  isObjectType(t) ? 'type'
  : isInterfaceType(t) ? 'interface'
  : isUnionType(t) ? 'union'
  : isEnumType(t) ? 'enum'
  : isInputObjectType(t) ? 'input'
  : 'scalar';

// Defaults are compared as GraphQL literals, so `1.0` in one SDL equals `1` in the other.
const defaultOf = (v: GraphQLArgument | GraphQLInputField): string =>
  v.defaultValue === undefined ? '(none)' : printValue(v.defaultValue, v.type);
const printValue = (value: unknown, type: GraphQLInputType): string => {
  const ast = astFromValue(value, type);
  return ast ? print(ast) : String(value);
};

/** One line per missing or differing item of `contract` in `schema`; empty when it is contained. */
export function contractMismatches(contract: GraphQLSchema, schema: GraphQLSchema): string[] {
  const out: string[] = [];
  for (const want of Object.values(contract.getTypeMap())) {
    if (want.name.startsWith('__') || isSpecifiedScalarType(want)) continue;
    const kind = kindOf(want);
    const have = schema.getType(want.name);
    if (!have) {
      out.push(`${kind} ${want.name}: missing`);
      continue;
    }
    if (kindOf(have) !== kind) {
      out.push(`${kind} ${want.name}: is a ${kindOf(have)}`);
      continue;
    }
    if (isScalarType(want)) continue;
    if (isEnumType(want) && isEnumType(have)) {
      for (const v of want.getValues()) {
        if (!have.getValue(v.name)) out.push(`enum ${want.name}: value ${v.name} missing`);
      }
    } else if (isUnionType(want) && isUnionType(have)) {
      const members = new Set(have.getTypes().map((m) => m.name));
      for (const m of want.getTypes()) {
        if (!members.has(m.name)) out.push(`union ${want.name}: member ${m.name} missing`);
      }
    } else if (isInputObjectType(want) && isInputObjectType(have)) {
      const fields = have.getFields();
      for (const f of Object.values(want.getFields())) {
        const g = fields[f.name];
        const where = `${want.name}.${f.name}`;
        if (!g) out.push(`${where}: missing (expected ${f.type})`);
        else out.push(...inputMismatches(where, f, g));
      }
    } else if ((isObjectType(want) || isInterfaceType(want)) && (isObjectType(have) || isInterfaceType(have))) {
      const interfaces = new Set(have.getInterfaces().map((i) => i.name));
      for (const i of want.getInterfaces()) {
        if (!interfaces.has(i.name)) out.push(`${kind} ${want.name}: does not implement ${i.name}`);
      }
      const fields = have.getFields();
      for (const f of Object.values(want.getFields())) {
        const g = fields[f.name];
        if (!g) out.push(`${want.name}.${f.name}: missing (expected ${f.type})`);
        else out.push(...fieldMismatches(`${want.name}.${f.name}`, f, g));
      }
    }
  }
  return out;
}

function fieldMismatches(where: string, want: GraphQLField<unknown, unknown>, have: GraphQLField<unknown, unknown>): string[] {
  const out: string[] = [];
  if (String(have.type) !== String(want.type)) out.push(`${where}: expected ${want.type}, found ${have.type}`);
  for (const a of want.args) {
    const b = have.args.find((x) => x.name === a.name);
    if (!b) out.push(`${where}(${a.name}): missing (expected ${a.type})`);
    else out.push(...inputMismatches(`${where}(${a.name})`, a, b));
  }
  return out;
}

/** An argument or input field: same type, and the contract's default if it has one. */
function inputMismatches(where: string, want: GraphQLArgument | GraphQLInputField, have: GraphQLArgument | GraphQLInputField): string[] {
  if (String(have.type) !== String(want.type)) return [`${where}: expected ${want.type}, found ${have.type}`];
  if (want.defaultValue !== undefined && defaultOf(have) !== defaultOf(want)) {
    return [`${where}: expected default ${defaultOf(want)}, found ${defaultOf(have)}`];
  }
  return [];
}
