import { gmailDefaultsFor } from './gmail-defaults.js';

describe('gmailDefaultsFor', () => {
  it('gives consumer Gmail 500 a day and Workspace 2,000', () => {
    expect(gmailDefaultsFor('ada@gmail.com').dailyCap).toBe(500);
    expect(gmailDefaultsFor('ada@GoogleMail.com').dailyCap).toBe(500);
    expect(gmailDefaultsFor('ada@example.com').dailyCap).toBe(2000);
    expect(gmailDefaultsFor('ada@gmail.com.example.org').dailyCap).toBe(2000);
  });
});
