import { DynamicModule, Module } from '@nestjs/common';
import type { ModulesContainer } from '@nestjs/core';
import type { EntityTarget } from './data-source.factory';

const FEATURE_ENTITIES = Symbol('FEATURE_ENTITIES');

/**
 * How a feature hands its TypeORM entities to the process's one DataSource, which the core builds
 * without knowing any feature: the feature module imports `EntitiesModule.forFeature([...])`, and
 * the DataSource factory collects every such list from the modules of the app (`featureEntities`).
 */
@Module({})
export class EntitiesModule {
  static forFeature(entities: EntityTarget[]): DynamicModule {
    return { module: EntitiesModule, providers: [{ provide: FEATURE_ENTITIES, useValue: entities }] };
  }
}

/** Every entity the app's modules registered with EntitiesModule.forFeature. Value providers are known before any instance is built. */
export function featureEntities(modules: ModulesContainer): EntityTarget[] {
  const found = new Set<EntityTarget>();
  for (const module of modules.values()) {
    const registered = module.providers.get(FEATURE_ENTITIES)?.instance as EntityTarget[] | undefined;
    for (const entity of registered ?? []) found.add(entity);
  }
  return [...found];
}
