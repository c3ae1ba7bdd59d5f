// TextEncoder/TextDecoder are pure (WHATWG Encoding) and exist in every host; the core's
// tsconfig has no DOM lib, so they are declared here and nothing else is.
declare class TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
