import { describe, expect, it } from "vitest";
import { checkClaimsText, jsonPath, renderClaims, type ClaimsContext } from "./claims";

const context: ClaimsContext = {
  user: {
    id: "user_1",
    primary_email_address: "ada@example.com",
    email_verified: true,
    first_name: "Ada",
    last_name: null,
    full_name: "Ada",
    username: null,
    image_url: null,
    public_metadata: { role: "editor", org: { plan: "pro" }, tags: ["a", "b"], beta: false },
    role: "user",
  },
  session: { id: "sess_1", actor: null },
};

function errorsOf(text: string): string[] {
  const result = checkClaimsText(text);
  return result.ok ? [] : result.errors;
}

describe("checkClaimsText", () => {
  it("accepts every documented shortcode, with or without spaces inside the braces", () => {
    const text = JSON.stringify({
      a: "{{user.id}}",
      b: "{{ user.primary_email_address }}",
      c: ["{{user.email_verified}}", "{{user.first_name}} {{user.last_name}}", "{{user.full_name}}"],
      d: { e: "{{user.username}}", f: "{{user.image_url}}", g: "{{user.public_metadata}}", h: "{{user.public_metadata.org.plan}}" },
      i: "{{user.role}}",
      j: "{{session.id}}",
      k: "{{session.actor}}",
      "x-role": "{{user.public_metadata.x-role}}",
    });
    expect(checkClaimsText(text)).toMatchObject({ ok: true });
  });

  it("refuses an unknown shortcode with its JSON path", () => {
    expect(errorsOf('{"app": {"role": "{{user.foo}}"}}')).toEqual(["Unknown shortcode {{user.foo}} at $.app.role"]);
    expect(errorsOf('{"https://hasura.io/jwt/claims": {"x-hasura-user-id": "id {{user.uid}}"}}')).toEqual([
      'Unknown shortcode {{user.uid}} at $["https://hasura.io/jwt/claims"]["x-hasura-user-id"]',
    ]);
    expect(errorsOf('{"roles": ["ok", "{{session.user}}"]}')).toEqual(["Unknown shortcode {{session.user}} at $.roles[1]"]);
    expect(errorsOf('{"m": "{{user.public_metadata.}}"}')).toEqual(["Unknown shortcode {{user.public_metadata.}} at $.m"]);
  });

  it("refuses organisation shortcodes as not available yet", () => {
    expect(errorsOf('{"org": "{{org.id}}"}')).toEqual(["Shortcode {{org.id}} at $.org: organizations are not available yet"]);
  });

  it("says where invalid JSON breaks, by line and column", () => {
    const [error] = errorsOf('{\n  "aud": "x",\n  role: 1\n}');
    expect(error).toMatch(/^Invalid JSON at line 3, column 3/);
    expect(errorsOf('{"aud": ')[0]).toBe("Invalid JSON at line 1, column 9 (position 8): Unexpected end of JSON input.");
  });

  it("wants an object of at most 8 KB and refuses reserved claims", () => {
    expect(errorsOf("[1]")).toEqual(['Claims must be a JSON object, like { "aud": "authenticated" }.']);
    expect(errorsOf(JSON.stringify({ big: "x".repeat(8200) }))[0]).toMatch(/the limit is 8 KB/);
    expect(errorsOf('{"sub": "x", "exp": 1, "aud": "ok"}')).toEqual([
      'The claim "sub" is reserved: the portal always sets it itself.',
      'The claim "exp" is reserved: the portal always sets it itself.',
    ]);
    expect(checkClaimsText("")).toEqual({ ok: true, claims: {} });
  });
});

describe("renderClaims", () => {
  it("gives a lone shortcode its JSON type, interpolates text, and renders a missing value as null", () => {
    const { claims } = checkClaimsText(
      JSON.stringify({
        meta: "{{user.public_metadata}}",
        tags: "{{user.public_metadata.tags}}",
        firstTag: "{{user.public_metadata.tags.0}}",
        beta: "{{user.public_metadata.beta}}",
        verified: "{{user.email_verified}}",
        greeting: "Hi {{user.first_name}} ({{user.email_verified}}) {{user.public_metadata.org}}{{user.last_name}}!",
        missing: "{{user.public_metadata.nope.deeper}}",
        last: "{{user.last_name}}",
        actor: "{{session.actor}}",
        nested: [{ sid: "{{session.id}}" }, 3, true, null],
      }),
    ) as { ok: true; claims: Record<string, never> };
    expect(renderClaims(claims, context)).toEqual({
      meta: { role: "editor", org: { plan: "pro" }, tags: ["a", "b"], beta: false },
      tags: ["a", "b"],
      firstTag: "a",
      beta: false,
      verified: true,
      greeting: 'Hi Ada (true) {"plan":"pro"}!',
      missing: null,
      last: null,
      actor: null,
      nested: [{ sid: "sess_1" }, 3, true, null],
    });
  });

  it("does not reach the prototype through a metadata path", () => {
    const rendered = renderClaims({ a: "{{user.public_metadata.constructor}}", b: "{{user.public_metadata.__proto__}}" }, context);
    expect(rendered).toEqual({ a: null, b: null });
  });
});

describe("jsonPath", () => {
  it("uses dots for plain names and brackets otherwise", () => {
    expect(jsonPath([])).toBe("$");
    expect(jsonPath(["a", 0, "b-c", "d"])).toBe('$.a[0]["b-c"].d');
  });
});
