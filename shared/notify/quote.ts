/**
 * A value quoted for an error message, in JSON string syntax (line breaks and quotes show as
 * escapes), with invisible and direction-changing characters escaped too, and long values cut.
 */
export function quote(value: string, max = 60): string {
  const cut = value.length > max ? `${value.slice(0, max - 3)}...` : value;
  return JSON.stringify(cut).replace(/[\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
