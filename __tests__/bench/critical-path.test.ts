import { criticalPath, dependenciesOf } from '../../scripts/bench/critical-path';

describe('criticalPath', () => {
  test('an empty stack has depth 0', () => {
    expect(criticalPath({})).toEqual({ depth: 0, chain: [], depthOf: {}, resources: 0 });
  });

  test('counts resources on the longest chain of references and depends_on, first-created first', () => {
    const path = criticalPath({
      resource: {
        hcloud_network: { net: { name: 'n' } },
        hcloud_network_subnet: { sub: { network_id: '${hcloud_network.net.id}' } },
        hcloud_server: { a: { network: [{ network_id: '${hcloud_network.net.id}' }], depends_on: ['hcloud_network_subnet.sub'] }, b: { name: 'b' } },
        terraform_data: { cfg: { provisioner: [{ 'remote-exec': { connection: { host: '${hcloud_server.a.ipv4_address}' } } }] } },
      },
    });
    expect(path.depth).toBe(4);
    expect(path.chain).toEqual(['hcloud_network.net', 'hcloud_network_subnet.sub', 'hcloud_server.a', 'terraform_data.cfg']);
    expect(path.depthOf).toEqual({ 'hcloud_network.net': 1, 'hcloud_network_subnet.sub': 2, 'hcloud_server.a': 3, 'hcloud_server.b': 1, 'terraform_data.cfg': 4 });
    expect(path.resources).toBe(5);
  });

  test('a data source is not created: it passes on the dependencies of what it references', () => {
    const path = criticalPath({
      resource: { hcloud_network: { net: {} }, hcloud_server: { s: { image: '${data.hcloud_image.img.id}' } } },
      data: { hcloud_image: { img: { depends_on: ['hcloud_network.net'] } } },
    });
    expect(path.chain).toEqual(['hcloud_network.net', 'hcloud_server.s']);
    expect(path.depth).toBe(2);
  });

  test('a local is not created: it passes on the dependencies of what it references (a shared text references nothing)', () => {
    const path = criticalPath({
      resource: {
        hcloud_network: { net: {} },
        terraform_data: { a: { provisioner: [{ file: { content: '${local.via_net}' } }] }, b: { provisioner: [{ file: { content: '${local.aiai_text_0123456789abcdef}' } }] } },
      },
      locals: { via_net: 'id ${hcloud_network.net.id}', aiai_text_0123456789abcdef: 'plain text' },
    });
    expect(path.depthOf).toEqual({ 'hcloud_network.net': 1, 'terraform_data.a': 2, 'terraform_data.b': 1 });
    expect(path.chain).toEqual(['hcloud_network.net', 'terraform_data.a']);
    expect(path.resources).toBe(3);
  });

  test('references inside functions and several per expression count; unknown names, variables, escaped $${ and the // comment do not', () => {
    const exists = (a: string): boolean => ['hcloud_server.a', 'hcloud_server.b', 'hcloud_volume.v'].includes(a);
    expect(
      dependenciesOf(
        {
          user_data: '${base64gzip(join(",", [hcloud_server.a.ipv4_address, hcloud_server.b.id]))} $${hcloud_volume.v.id}',
          name: '${var.name}-${local.x.y}',
          '//': { metadata: { path: 'hcloud_volume.v' } },
          labels: { plain: 'hcloud_volume.v' },
        },
        exists,
      ),
    ).toEqual(['hcloud_server.a', 'hcloud_server.b']);
  });

  test('a dependency cycle fails and names it', () => {
    expect(() => criticalPath({ resource: { terraform_data: { a: { depends_on: ['terraform_data.b'] }, b: { input: '${terraform_data.a.id}' } } } })).toThrow(
      /dependency cycle: terraform_data\.a -> terraform_data\.b -> terraform_data\.a/,
    );
  });
});
