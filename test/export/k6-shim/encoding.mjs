/** k6/encoding's b64encode, for basic auth. */
export function b64encode(input) {
  return Buffer.from(input).toString('base64');
}
export default { b64encode };
