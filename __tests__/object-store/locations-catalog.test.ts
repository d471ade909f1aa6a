import { LOCATIONS } from '../../lib/hetzner/catalog';
import { OBJECT_STORAGE_LOCATIONS } from '../../lib/object-store/locations';

// OBJECT_STORAGE_LOCATIONS is derived from the catalog, its source of truth.
test('the object storage locations are exactly the catalog locations flagged objectStorage', () => {
  const fromCatalog = Object.values(LOCATIONS).filter((l) => l.objectStorage).map((l) => l.name).sort();
  expect([...OBJECT_STORAGE_LOCATIONS].sort()).toEqual(fromCatalog);
});
