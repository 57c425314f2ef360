import { describe, expect, it } from 'vitest';
import { api } from '../worker/helpers.js';

// This project runs with REGISTRATION=closed.
describe('closed registration', () => {
  it('refuses registration with 403 M_FORBIDDEN', async () => {
    const res = await api('POST', '/_matrix/client/v3/register', {
      body: { username: 'someone', password: 'pw', auth: { type: 'm.login.dummy' } },
    });
    expect(res.status).toBe(403);
    expect(res.body.errcode).toBe('M_FORBIDDEN');
  });

  it('reports shared-secret registration as disabled when no secret is configured', async () => {
    const res = await api('GET', '/_synapse/admin/v1/register');
    expect(res.status).toBe(400);
  });
});
