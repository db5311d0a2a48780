/**
 * The shape of the field tables the generator writes beside each codec: names, types and version
 * ranges of every field of every struct, without the schemas' prose. Tools (pretty printers) and
 * fixture builders walk these instead of re-reading Kafka's JSON.
 */
export interface FieldInfo {
  /** camelCase property name on the generated interface */
  readonly name: string;
  /** element type: a primitive (int32, string, records, ...) or a struct name in the same table */
  readonly type: string;
  readonly array: boolean;
  /** inclusive [lo, hi]; 32767 stands for "and later" */
  readonly versions: readonly [number, number] | null;
  readonly nullable: readonly [number, number] | null;
  readonly tagged: readonly [number, number] | null;
  /** the tag number for tagged fields, else -1 */
  readonly tag: number;
}

/** Struct name → its fields, in wire order; the message itself is one of the structs. */
export type StructFieldTable = Readonly<Record<string, readonly FieldInfo[]>>;
