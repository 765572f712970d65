/** A malformed address or prefix. `input` is what was given; the message says what was wrong. */
export class AddressError extends Error {
  override readonly name = 'AddressError';
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(message);
  }
}
