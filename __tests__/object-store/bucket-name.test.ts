import { bucketNameProblems, isValidBucketName } from '../../lib/object-store';

describe('bucket name rules', () => {
  test.each(['abc', 'acme-aiai-prod-logs', '0bucket9', 'a'.repeat(63), 'x-n--ok'])('accepts %j', (name) => {
    expect(bucketNameProblems(name)).toEqual([]);
    expect(isValidBucketName(name)).toBe(true);
  });

  test.each([
    ['ab', /is 2 characters long \(must be 3-63\)/],
    ['a'.repeat(64), /is 64 characters long/],
    ['Acme', /contains uppercase letters/],
    ['acme..logs', /contains two adjacent periods/],
    ['acme.logs', /contains a period/],
    ['acme_logs', /contains "_"/],
    ['acme logs!', /contains " ", "!"/],
    ['-acme', /does not start with a lowercase letter or digit/],
    ['acme-', /does not end with a lowercase letter or digit/],
    ['10.0.0.1', /is formatted as an IP address/],
    ['xn--acme', /starts with the reserved prefix xn--/],
    ['sthree-acme', /starts with the reserved prefix sthree-/],
    ['amzn-s3-demo-acme', /starts with the reserved prefix amzn-s3-demo-/],
    ['acme-s3alias', /ends with the reserved suffix -s3alias/],
    ['acme--ol-s3', /ends with the reserved suffix --ol-s3/],
    ['acme--x-s3', /ends with the reserved suffix --x-s3/],
    ['acme--table-s3', /ends with the reserved suffix --table-s3/],
    ['', /is 0 characters long/],
  ])('fails if the name is %j', (name, problem) => {
    expect(bucketNameProblems(name).join('; ')).toMatch(problem);
    expect(isValidBucketName(name)).toBe(false);
  });
});
