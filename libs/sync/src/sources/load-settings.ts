import { UnitOfWork } from '@credence/tenancy';
import { defaultSettings, SOURCE_SELECT, SourceSettings } from './source-settings';

/** The source's settings, or the defaults when nobody configured it. */
export async function loadSettings(uow: UnitOfWork, source: string): Promise<SourceSettings> {
  const [row] = await uow.query<SourceSettings[]>(`${SOURCE_SELECT} WHERE source = $1`, [source]);
  return row ?? defaultSettings(source);
}
