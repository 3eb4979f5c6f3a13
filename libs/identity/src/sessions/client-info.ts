import { UAParser } from 'ua-parser-js';

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
  deviceType: string;
  location: string | null;
}

const DEVICE_TYPES = new Set(['mobile', 'tablet', 'desktop', 'smarttv', 'wearable', 'console', 'embedded', 'other']);

/**
 * What a session records about the client. `ip` is Fastify's request.ip, which honours
 * X-Forwarded-For only from TRUSTED_PROXIES. A device type the client states wins over the parsed one.
 */
export function clientInfo(req: { ip?: string; headers: Record<string, string | string[] | undefined> }, stated?: { deviceType?: string; location?: string }): ClientInfo {
  const ua = typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'].slice(0, 512) : null;
  const parsed = ua ? new UAParser(ua).getResult() : undefined;
  const statedType = stated?.deviceType && DEVICE_TYPES.has(stated.deviceType) ? stated.deviceType : undefined;
  const deviceType = statedType ?? parsed?.device.type ?? (ua ? 'desktop' : 'other');
  return { ip: req.ip ?? null, userAgent: ua, deviceType, location: stated?.location?.slice(0, 120) ?? null };
}
