import { startTestApp, TestApp } from '@credence/testing';
import { AuthAppModule } from '../../apps/auth/src/auth-app.module';

/** What every route shares: the error envelope, trace ids, body limits, OpenAPI and metrics. */
describe('HTTP edges', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp([AuthAppModule], { HTTP_BODY_LIMIT_BYTES: '2048' });
  });
  afterAll(() => t.close());

  it('answers an unknown route with route.not_found in the envelope', async () => {
    const res = await t.call('GET', '/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('route.not_found');
    expect(res.body.error.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers.get('x-trace-id')).toBe(res.body.error.trace_id);
  });

  it('answers a URL with a malformed percent-encoding with 400 request.malformed in the envelope', async () => {
    const res = await t.call('GET', '/v1/t/%E0%A4%A/users');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'request.malformed', message: expect.stringContaining('URL') });
    expect(res.body.error.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers.get('x-trace-id')).toBe(res.body.error.trace_id);
  });

  it('answers a path segment longer than any id with 404 route.not_found in the envelope', async () => {
    const res = await t.call('GET', `/v1/t/${'a'.repeat(300)}/users`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('route.not_found');
    expect(res.headers.get('x-trace-id')).toBe(res.body.error.trace_id);
  });

  it('takes the trace id from a W3C traceparent header', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await t.call('GET', '/v1/admin/tenants', undefined, { auth: false, headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'auth.missing_credentials', trace_id: traceId });
  });

  it('ignores a malformed traceparent and makes a fresh trace id', async () => {
    const res = await t.call('GET', '/v1/admin/tenants', undefined, { auth: false, headers: { traceparent: 'garbage' } });
    expect(res.body.error.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('refuses a body over the limit with 413 request.too_large', async () => {
    const res = await t.call('POST', '/v1/admin/tenants', JSON.stringify({ name: 'x'.repeat(4096) }));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('request.too_large');
  });

  it('refuses malformed JSON with 400 request.malformed', async () => {
    const res = await t.call('POST', '/v1/admin/tenants', '{"slug": ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('request.malformed');
  });

  it('refuses a body that is not JSON with 415', async () => {
    const res = await t.call('POST', '/v1/admin/tenants', 'slug=acme', { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('request.unsupported_media_type');
  });

  it('serves an OpenAPI document generated from the controllers', async () => {
    const res = await t.call('GET', '/docs/openapi.json', undefined, { auth: false });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/v1/admin/tenants', '/v1/admin/tenants/{slug}', '/v1/admin/api-keys', '/v1/t/{tenant}/.well-known/jwks.json', '/health']),
    );
    expect(res.body.components.schemas.CreateTenantDto.required).toEqual(expect.arrayContaining(['slug', 'name', 'admin']));
    const ui = await fetch(`${t.url}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  it('exposes Prometheus metrics, including request durations by route', async () => {
    await t.call('GET', '/health', undefined, { auth: false });
    const res = await fetch(`${t.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/credence_http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} \d+/);
    expect(text).toContain('credence_process_cpu_seconds_total');
  });

  it('counts a URL refused while routing among the request durations, as an unmatched route', async () => {
    await t.call('GET', '/v1/t/%E0%A4%A/users');
    const text = await (await fetch(`${t.url}/metrics`)).text();
    expect(text).toMatch(/credence_http_request_duration_seconds_count\{method="GET",route="unmatched",status="400"\} [1-9]\d*/);
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  const TOKEN = 'metrics-token-for-the-test-0123456789abcdef';
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp([], { METRICS_TOKEN: TOKEN });
  });
  afterAll(() => t?.close());

  it('answers only the bearer of the token, in the error envelope otherwise', async () => {
    const missing = await t.call('GET', '/metrics', undefined, { auth: false });
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('auth.missing_credentials');
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');
    for (const wrong of [`${TOKEN}x`, TOKEN.slice(1), 'x', TOKEN.toUpperCase()]) {
      const res = await t.call('GET', '/metrics', undefined, { auth: wrong });
      expect({ wrong, status: res.status, code: res.body.error?.code }).toEqual({ wrong, status: 401, code: 'auth.invalid_credentials' });
    }
    // The platform admin key is not the metrics token.
    expect((await t.call('GET', '/metrics')).status).toBe(401);
    const res = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('credence_process_cpu_seconds_total');
  });
});
