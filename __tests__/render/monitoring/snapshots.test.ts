/**
 * Golden files of every rendered artifact with the default options: a complement to the explicit
 * assertions and real-tool checks in the other files, so that any change shows up in review.
 */
import { renderLogShippingHost, renderMonitoringHost } from '../../../lib/render/monitoring';
import { BASE } from './support';

describe('rendered monitoring artifacts (golden)', () => {
  const monitoring = renderMonitoringHost(BASE);
  const shipping = renderLogShippingHost({ ...BASE, hostname: 'aiai-production-orchestrator-1', role: 'orchestrator', lokiHost: BASE.privateIp });

  test.each(monitoring.files.filter((f) => !f.path.endsWith('.json')).map((f) => [f.path, f.content]))('%s', (_path, content) => {
    expect(content).toMatchSnapshot();
  });

  test.each(shipping.files.map((f) => [f.path, f.content]))('%s', (_path, content) => {
    expect(content).toMatchSnapshot();
  });

  test('install plans', () => {
    expect({ monitoring: monitoring.install, shipping: shipping.install }).toMatchSnapshot();
  });
});
