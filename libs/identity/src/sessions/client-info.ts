import { UAParser } from 'ua-parser-js';
import { DEVICE_TYPES } from './dto/client-hints';

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
  deviceType: string;
  location: string | null;
}

const KNOWN_DEVICE_TYPES: ReadonlySet<string> = new Set(DEVICE_TYPES);
/** Parsed device types by user agent: a handful of browsers sign in again and again, and parsing one costs more than the rest of this. */
const deviceTypes = new Map<string, string | undefined>();
const MAX_DEVICE_TYPES = 1000;

function deviceTypeOf(ua: string): string | undefined {
  if (deviceTypes.has(ua)) return deviceTypes.get(ua);
  const type = new UAParser(ua).getDevice().type;
  if (deviceTypes.size >= MAX_DEVICE_TYPES) deviceTypes.delete(deviceTypes.keys().next().value!);
  deviceTypes.set(ua, type);
  return type;
}

/**
 * What a session records about the client. `ip` is Fastify's request.ip, which honours
 * X-Forwarded-For only from TRUSTED_PROXIES. A device type the client states wins over the parsed one.
 */
export function clientInfo(req: { ip?: string; headers: Record<string, string | string[] | undefined> }, stated?: { deviceType?: string; location?: string }): ClientInfo {
  const ua = typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'].slice(0, 512) : null;
  const statedType = stated?.deviceType && KNOWN_DEVICE_TYPES.has(stated.deviceType) ? stated.deviceType : undefined;
  const deviceType = statedType ?? (ua ? (deviceTypeOf(ua) ?? 'desktop') : 'other');
  return { ip: req.ip ?? null, userAgent: ua, deviceType, location: stated?.location?.slice(0, 120) ?? null };
}
