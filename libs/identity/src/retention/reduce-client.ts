import { UAParser } from 'ua-parser-js';
import { countryOf } from '../sessions/country';

/**
 * What an anonymised session keeps of its user agent: the browser family and the device family
 * ("Chrome (desktop)", "Mobile Safari (mobile)"), never versions, OS or model. The device family
 * is ua-parser's device type, `desktop` when it names none (as sessions record device_type).
 */
export function reduceUserAgent(ua: string | null): string | null {
  if (!ua) return null;
  const { browser, device } = new UAParser(ua).getResult();
  return `${browser.name ?? 'Other'} (${device.type ?? 'desktop'})`;
}

const MAX_REMEMBERED = 10_000;

/**
 * Reduces the user agents of one run, parsing each distinct string once: sessions of one tenant
 * share a handful of user agents, and parsing is the costly part of anonymising. The memory is
 * bounded: past MAX_REMEMBERED distinct strings it starts afresh.
 */
export class UserAgentReducer {
  private readonly cache = new Map<string, string | null>();

  reduce(ua: string | null): string | null {
    if (!ua) return null;
    let hit = this.cache.get(ua);
    if (hit === undefined) {
      hit = reduceUserAgent(ua);
      if (this.cache.size >= MAX_REMEMBERED) this.cache.clear();
      this.cache.set(ua, hit);
    }
    return hit;
  }
}

/** A location reduced to its country ("Berlin, DE" → "DE"). */
export const reduceLocation = countryOf;
