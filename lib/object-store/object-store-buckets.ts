/** The four buckets of the platform, by purpose. */
export const OBJECT_STORE_BUCKETS = ['logs', 'metrics', 'artifacts', 'backups'] as const;
export type ObjectStoreBucket = (typeof OBJECT_STORE_BUCKETS)[number];

/** Bucket names by purpose (plain strings, known at synth time). */
export type ObjectStoreBucketNames = { readonly [K in ObjectStoreBucket]: string };
