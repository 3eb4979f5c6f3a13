import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An application's `initiate_login_uri` (OpenID Connect Core §4, login initiated by a third party:
 * where an IdP-initiated SAML sign-in sends the browser so the app starts its own authorization
 * request), and the format of a federated subject (a SAML NameID's Format), which an SP-initiated
 * LogoutRequest must repeat to name the user to the IdP.
 */
export class InitiateLoginAndSubjectFormat1732560000015 implements MigrationInterface {
  name = 'InitiateLoginAndSubjectFormat1732560000015';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE applications ADD COLUMN initiate_login_uri text');
    await q.query('ALTER TABLE federated_identities ADD COLUMN subject_format text');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE federated_identities DROP COLUMN subject_format');
    await q.query('ALTER TABLE applications DROP COLUMN initiate_login_uri');
  }
}
