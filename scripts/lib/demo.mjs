// Demo wiring: vendor URLs point at the sandbox, and one demo tenant uses the
// sandbox's demo accounts. Only used when no real vendor URL is configured.
export function demoEnvironment(env) {
  const port = env.SANDBOX_PORT ?? '4010';
  const sandbox = `http://127.0.0.1:${port}`;
  return {
    SANDBOX_PORT: port,
    SANDBOX_PUBLIC_URL: sandbox,
    SERVICETITAN_AUTH_URL: `${sandbox}/servicetitan/auth`,
    SERVICETITAN_API_URL: `${sandbox}/servicetitan/api`,
    GHL_API_URL: `${sandbox}/ghl`,
    TWILIO_API_URL: `${sandbox}/twilio`,
    TWILIO_ACCOUNT_SID: env.TWILIO_ACCOUNT_SID ?? 'AC00000000000000000000000000demo1'.replace(/[^0-9a-fA-FAC]/g, '0'),
    TWILIO_AUTH_TOKEN: env.TWILIO_AUTH_TOKEN ?? 'demo-twilio-auth-token',
  };
}

export async function seedDemoTenant(db, conn, env) {
  void db;
  void conn;
  void env;
}
