/** The receiver's settings: the secret Credence showed when the webhook was created (two during your own rotation, space-separated). */
export const settings = {
  port: Number(process.env.PORT ?? 4000),
  path: process.env.WEBHOOK_PATH ?? 'credence-webhooks',
  secrets: (process.env.WEBHOOK_SECRET ?? '').split(/\s+/).filter(Boolean),
};
