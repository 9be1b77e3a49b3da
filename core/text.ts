/** `3 events`, `1 event`, `2 deliveries`: a count with its noun, for messages. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
