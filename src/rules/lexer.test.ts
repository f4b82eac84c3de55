import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatCidr, formatIp } from '../core/ip.ts';
import { tokenize, type Token } from './lexer.ts';
import { RuleError } from './rule-error.ts';

/** A token as short text: kind, then its decoded value when it has one. */
function show(t: Token): string {
  switch (t.kind) {
    case 'compare': return `compare:${t.op}`;
    case 'number':
    case 'bool': return `${t.kind}:${t.value}`;
    case 'string': return `string:${JSON.stringify(t.value)}`;
    case 'ip': return `ip:${formatIp(t.value)}`;
    case 'cidr': return `cidr:${formatCidr(t.value)}`;
    case 'hex': return `hex:${Array.from(t.value).join(',')}`;
    case 'regex': return `regex:${t.source}`;
    case 'ident': return `ident:${t.name}`;
    default: return t.kind;
  }
}

function kinds(expr: string): string[] {
  return tokenize(expr).map(show).slice(0, -1);
}

describe('tokens', () => {
  const table: Array<[expr: string, tokens: string[]]> = [
    ['( ) [ ] ,', ['lparen', 'rparen', 'lbracket', 'rbracket', 'comma']],
    ['! not NOT && and AND || or Or', ['not', 'not', 'not', 'and', 'and', 'and', 'or', 'or', 'or']],
    ['== eq != ne < lt <= le > gt >= ge', ['compare:eq', 'compare:eq', 'compare:ne', 'compare:ne', 'compare:lt', 'compare:lt', 'compare:le', 'compare:le', 'compare:gt', 'compare:gt', 'compare:ge', 'compare:ge']],
    ['contains CONTAINS matches =~ in IN', ['compare:contains', 'compare:contains', 'matches', 'matches', 'in', 'in']],
    ['a==1', ['ident:a', 'compare:eq', 'number:1']],
    ['0 42 -7 +7 1.5 -0.25 .5', ['number:0', 'number:42', 'number:-7', 'number:7', 'number:1.5', 'number:-0.25', 'number:0.5']],
    ['18446744073709551615', ['number:18446744073709552000']],
    ['true FALSE True', ['bool:true', 'bool:false', 'bool:true']],
    [`"a\\"b" 'c\\'d' "\\n\\t\\r\\\\" "\\x41\\u00e9" 'say "hi"'`, ['string:"a\\"b"', 'string:"c\'d"', 'string:"\\n\\t\\r\\\\"', 'string:"Aé"', 'string:"say \\"hi\\""']],
    ['"" \'\'', ['string:""', 'string:""']],
    ['1.2.3.4 ::1 fe80::1 ::ffff:10.0.0.1 ::', ['ip:1.2.3.4', 'ip:::1', 'ip:fe80::1', 'ip:10.0.0.1', 'ip:::']],
    ['10.0.0.0/8 2001:db8::/32 1.2.3.4/32', ['cidr:10.0.0.0/8', 'cidr:2001:db8::/32', 'cidr:1.2.3.4/32']],
    ['47:45:54 aa:BB 01:23:45:67:89:ab:AB:cd:ef', ['hex:71,69,84', 'hex:170,187', 'hex:1,35,69,103,137,171,171,205,239']],
    // Eight groups of two hex digits read as an IPv6 address, as in Rulekit (ip comes before hex).
    ['aa:bb:cc:dd:ee:ff:00:11', ['ip:aa:bb:cc:dd:ee:ff:0:11']],
    ['a matches /x\\/y/ or b =~ |p/q\\|r|', ['ident:a', 'matches', 'regex:x\\/y', 'or', 'ident:b', 'matches', 'regex:p/q\\|r']],
    ['[/a/, |b|]', ['lbracket', 'regex:a', 'comma', 'regex:b', 'rbracket']],
    ['a || b', ['ident:a', 'or', 'ident:b']],
    ['src.process.path http.req.headers.user-agent _x a1.b_2', ['ident:src.process.path', 'ident:http.req.headers.user-agent', 'ident:_x', 'ident:a1.b_2']],
    ['headers["user-agent"] items[0]', ['ident:headers', 'lbracket', 'string:"user-agent"', 'rbracket', 'ident:items', 'lbracket', 'number:0', 'rbracket']],
    ['starts_with(a, "x")', ['ident:starts_with', 'lparen', 'ident:a', 'comma', 'string:"x"', 'rparen']],
    ['index in_x notx andy', ['ident:index', 'ident:in_x', 'ident:notx', 'ident:andy']],
    ['a -- comment\n== 1', ['ident:a', 'compare:eq', 'number:1']],
    ['a-- comment', ['ident:a']],
    ['a /* block\n comment */ == /* x */ 1', ['ident:a', 'compare:eq', 'number:1']],
    ['  \t\r\n ', []],
  ];
  for (const [expr, expected] of table) {
    test(JSON.stringify(expr), () => assert.deepEqual(kinds(expr), expected));
  }

  test('offsets cover each token', () => {
    const expr = 'dst.port >= 443';
    assert.deepEqual(
      tokenize(expr).map((t) => expr.slice(t.start, t.end)),
      ['dst.port', '>=', '443', ''],
    );
  });
});

describe('errors', () => {
  const table: Array<[expr: string, column: number]> = [
    ['a = 1', 3],
    ['a & b', 3],
    ['a | b', 3],
    ['a / b', 3],
    ['a == "abc', 6],
    ["a == 'abc", 6],
    ['a == "bad \\q escape"', 11],
    ['a == /abc', 6],
    ['a == |abc', 6],
    ['a /* never closed', 3],
    ['a == 1.2.3', 6],
    ['a == 256.1.1.1', 6],
    ['a == 1:2:3', 6],
    ['a == 10.0.0.0/33', 15],
    ['a == ::/129', 9],
    ['a == 1.', 6],
    ['a == 5abc', 6],
    ['a == 99999999999999999999', 6],
    ['a == -x', 6],
    ['a.', 1],
    ['a..b', 1],
    ['a == #', 6],
    ['é == 1', 1],
    ['"é" == 😀', 8],
    ['a == 1 $', 8],
  ];
  for (const [expr, column] of table) {
    test(`${JSON.stringify(expr)} → column ${column}`, () => {
      assert.throws(
        () => tokenize(expr),
        (err: unknown) => err instanceof RuleError && err.code === 'CT_ERR_RULE' && err.column === column,
      );
    });
  }
});
