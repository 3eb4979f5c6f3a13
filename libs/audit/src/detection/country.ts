// One rule for "the country of a location", shared with session anonymisation (identity owns sessions).
export { countryOf } from '@credence/identity';
