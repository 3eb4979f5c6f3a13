/** RFC 6749 §5.1, plus OIDC Core §3.1.3.3's id_token. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
}
