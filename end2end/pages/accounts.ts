import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { waitForHydration } from '../tests/fixtures';

/** The sign-in and sign-up pages: plain forms, posted and redirected by the server. */
export class AuthPage {
  constructor(readonly page: Page) {}

  async signUp(email: string, password: string) {
    await this.page.goto('/sign-up');
    await this.fill(email, password);
    await this.page.getByTestId('sign-up').click();
  }

  async signIn(email: string, password: string) {
    await this.page.goto('/sign-in');
    await this.fill(email, password);
    await this.page.getByTestId('sign-in').click();
  }

  async fill(email: string, password: string) {
    await this.page.getByTestId('email').fill(email);
    await this.page.getByTestId('password').fill(password);
  }

  get error() {
    return this.page.getByTestId('auth-error');
  }
}

/**
 * An owner's member changes, as the members page's forms post them (from `request`, signed in
 * as the owner): each answers with a redirect once the server has decided.
 */
export class Members {
  constructor(
    readonly request: APIRequestContext,
    readonly baseURL: string,
  ) {}

  private async post(path: string, form: Record<string, string>) {
    const res = await this.request.post(path, { form, headers: { origin: this.baseURL, accept: 'application/json' }, maxRedirects: 0 });
    expect(res.status(), `${path}: ${await res.text()}`).toBe(200);
  }

  async userId(email: string): Promise<number> {
    const res = await this.request.post('/api/workspace/members', { form: {}, headers: { origin: this.baseURL } });
    const body = await res.json();
    const member = body.members.find((m: { email: string }) => m.email === email);
    expect(member, `${email} is a member`).toBeTruthy();
    return member.user;
  }

  async share(email: string, role: 'owner' | 'editor' | 'viewer', workspace = 1) {
    await this.post('/api/accounts/members', { workspace: String(workspace), email, role });
  }

  async setRole(email: string, role: 'owner' | 'editor' | 'viewer' | 'remove', workspace = 1) {
    const user = await this.userId(email);
    await this.post('/api/accounts/role', { workspace: String(workspace), user: String(user), role });
  }
}

/** Opens /orders on `page` and waits until it is hydrated. */
export async function openOrders(page: Page) {
  await page.goto('/orders');
  await waitForHydration(page);
}
