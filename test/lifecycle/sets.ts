/** Credential sets the bundled auth service knows, as scenario YAML lines (under `credentials:`). */
export const VALID_APP = `  - name: valid-app
    expect: 200
    headers: { X-IBM-Client-Id: a1f5c0de-orders-web, X-IBM-Client-Secret: sk-orders-web-7Hq2xVb9LmPz }`;

/** A second app, whose client id the credential checks revoke. */
export const MOBILE_APP = `  - name: mobile-app
    expect: 200
    headers: { X-IBM-Client-Id: b7e3d2aa-orders-mobile, X-IBM-Client-Secret: sk-orders-mobile-Qw8rT5yU }`;

export const WRONG_SECRET = `  - name: wrong-secret
    expect: 401
    headers: { X-IBM-Client-Id: a1f5c0de-orders-web, X-IBM-Client-Secret: sk-orders-WRONG }`;

/** A JWT set the auth service accepts, signed with the key at `keyRef` (a `\${file:}` reference or PEM). */
export function serviceJwt(keyRef: string): string {
  return `  - name: service-jwt
    expect: 200
    jwt:
      privateKey: "${keyRef}"
      kid: wsgate-test-1
      issuer: https://auth.wsgate.test
      audience: wsgate-echo
      subject: orders-service`;
}
