// What a reader sees, measured in Chromium: tables that fit (or scroll visibly) on 1280 and 1440 px screens with
// headings over their columns, and a dependency graph whose columns are hops from the service and whose edges never
// run behind a node.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../../gateway/test/harness.ts';
import { startConsoleInBrowser, type ConsoleInBrowser } from './console-session.ts';
import { consolePages, type ConsolePage } from './pages.ts';

let session: ConsoleInBrowser;
let page: Page;
let pages: ConsolePage[];

beforeAll(async () => {
  session = await startConsoleInBrowser();
  page = session.page;
  pages = await consolePages(session.server.url);
}, 240_000);

afterAll(() => session?.stop());

/**
 * Tables wider than the box that shows them, by section heading. A table may scroll sideways only in a box that
 * says so with a visible scrollbar (`.table-scroll`); anywhere else its right-hand columns are cut off. A page wider
 * than the window counts too.
 */
async function clippedTables(target: Page): Promise<string[]> {
  return target.evaluate(() => {
    const out: string[] = [];
    for (const table of Array.from(document.querySelectorAll('table'))) {
      if (!table.getClientRects().length) continue; // not displayed
      let box: HTMLElement | null = table.parentElement;
      while (box && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
      if (!box || box === document.documentElement || box === document.body) continue;
      const wider = table.scrollWidth > box.clientWidth + 1;
      const scrollsVisibly = box.classList.contains('table-scroll') && box.scrollWidth > box.clientWidth;
      if (wider && !scrollsVisibly) {
        const heading = table.closest('section, aside, .panel')?.querySelector('h2, h3')?.textContent?.trim() ?? table.className;
        out.push(`"${heading}" table ${table.scrollWidth}px in a ${box.clientWidth}px box`);
      }
    }
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth + 1) out.push(`the page is ${root.scrollWidth}px wide in a ${root.clientWidth}px window`);
    return out;
  });
}

/** Column headings aligned otherwise than their column's cells (a left `#` over right-aligned numbers). */
async function misalignedHeadings(target: Page): Promise<string[]> {
  return target.evaluate(() => {
    const out: string[] = [];
    for (const table of Array.from(document.querySelectorAll('table'))) {
      const headings = Array.from(table.querySelectorAll('thead tr:first-child th'));
      const cells = Array.from(table.querySelector('tbody tr')?.children ?? []);
      if (!headings.length || headings.length !== cells.length) continue; // spans: no column to compare
      const side = (el: Element) => (['right', 'end'].includes(getComputedStyle(el).textAlign) ? 'right' : 'left');
      headings.forEach((th, i) => {
        if (side(th) !== side(cells[i]!)) out.push(`"${th.textContent?.trim() || th.getAttribute('aria-label')}" is ${side(th)}-aligned over ${side(cells[i]!)}-aligned cells`);
      });
    }
    return out;
  });
}

describe('tables', { timeout: 240_000 }, () => {
  it('fit every page at 1440 and 1280 px, each heading aligned with its column', async () => {
    const widths = [1440, 1280];
    const clipped = new Map<number, string[]>(widths.map((w) => [w, []]));
    const misaligned: string[] = [];
    for (const { name, path } of pages) {
      await page.setViewportSize({ width: widths[0]!, height: 900 });
      await session.open(path);
      for (const what of await misalignedHeadings(page)) misaligned.push(`${name} (${path}): ${what}`);
      // The same page, narrowed: the layout reflows without a reload.
      for (const width of widths) {
        await page.setViewportSize({ width, height: 900 });
        await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
        for (const what of await clippedTables(page)) clipped.get(width)!.push(`${name} (${path}): ${what}`);
      }
    }
    // A failure lists every clipped table by width, page and section.
    expect(Object.fromEntries(clipped)).toEqual(Object.fromEntries(widths.map((w) => [w, []])));
    expect(misaligned, misaligned.join('\n')).toEqual([]);
    expect(session.browser.consoleErrors).toEqual([]);
  });
});

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

describe('the dependency graph', { timeout: 60_000 }, () => {
  it('puts services in columns by hops from the root and routes every edge around the nodes', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    const answer = await gql<{ service: { dependencyGraph: { edges: { from: string; to: string }[]; nodes: { service: { id: string } }[] } } }>(
      session.server.url,
      '{ service(id: "checkout") { dependencyGraph(direction: BOTH, depth: 2) { nodes { service { id } } edges { from to } } } }',
    );
    const { nodes, edges } = answer.data!.service.dependencyGraph;
    await session.open('/services/checkout/graph?direction=BOTH&depth=2');
    await page.locator('.react-flow__node').nth(nodes.length - 1).waitFor();
    await page.locator('[data-testid^="rf__edge-"]').nth(edges.length - 1).waitFor({ state: 'attached' });

    const drawn = await page.evaluate(() => {
      const boxes: Record<string, Box> = {};
      for (const node of Array.from(document.querySelectorAll<HTMLElement>('.react-flow__node'))) {
        const r = node.getBoundingClientRect();
        boxes[node.dataset.id!] = { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
      }
      const routes: Record<string, { x: number; y: number }[]> = {};
      for (const edge of Array.from(document.querySelectorAll<SVGGElement>('[data-testid^="rf__edge-"]'))) {
        const path = edge.querySelector<SVGPathElement>('path.react-flow__edge-path')!;
        const matrix = path.getScreenCTM()!;
        const length = path.getTotalLength();
        const points: { x: number; y: number }[] = [];
        for (let at = 0; at <= length; at += 3) {
          const p = path.getPointAtLength(Math.min(at, length));
          const screen = new DOMPoint(p.x, p.y).matrixTransform(matrix);
          points.push({ x: screen.x, y: screen.y });
        }
        const end = path.getPointAtLength(length);
        points.push(new DOMPoint(end.x, end.y).matrixTransform(matrix));
        routes[edge.dataset.testid!.slice('rf__edge-'.length)] = points;
      }
      return { boxes, routes };
    });

    // Every service and every call is drawn.
    expect(Object.keys(drawn.boxes).sort()).toEqual(nodes.map((n) => n.service.id).sort());
    expect(Object.keys(drawn.routes).sort()).toEqual(edges.map((e) => `${e.from}->${e.to}`).sort());

    // Columns: hops along calls from checkout to the right, callers to the left.
    const column = (id: string) => Math.round(drawn.boxes[id]!.left);
    const callees = edges.filter((e) => e.from === 'checkout').map((e) => e.to);
    const callers = edges.filter((e) => e.to === 'checkout').map((e) => e.from);
    expect(callees).toHaveLength(6);
    expect(new Set(callees.map(column)).size, `direct dependencies ${callees.join(', ')} share one column`).toBe(1);
    expect(column(callees[0]!)).toBeGreaterThan(column('checkout'));
    for (const caller of callers) expect(column(caller)).toBeLessThan(column('checkout'));
    const twoHops = edges.filter((e) => callees.includes(e.from) && !callees.includes(e.to) && e.to !== 'checkout').map((e) => e.to);
    expect(twoHops.length).toBeGreaterThan(0);
    expect(new Set(twoHops.map(column)).size, `two hops away: ${twoHops.join(', ')}`).toBe(1);
    expect(column(twoHops[0]!)).toBeGreaterThan(column(callees[0]!));

    // Every edge starts on its caller, ends on its callee, and passes behind no other node.
    const inside = (p: { x: number; y: number }, b: Box, margin: number) => p.x > b.left + margin && p.x < b.right - margin && p.y > b.top + margin && p.y < b.bottom - margin;
    const near = (p: { x: number; y: number }, b: Box) => p.x >= b.left - 3 && p.x <= b.right + 3 && p.y >= b.top - 3 && p.y <= b.bottom + 3;
    for (const e of edges) {
      const route = drawn.routes[`${e.from}->${e.to}`]!;
      expect(near(route[0]!, drawn.boxes[e.from]!), `${e.from}->${e.to} starts on ${e.from}`).toBe(true);
      expect(near(route.at(-1)!, drawn.boxes[e.to]!), `${e.from}->${e.to} ends on ${e.to}`).toBe(true);
      for (const [id, box] of Object.entries(drawn.boxes)) {
        if (id === e.from || id === e.to) continue;
        const hidden = route.filter((p) => inside(p, box, 1));
        expect(hidden, `${e.from}->${e.to} runs behind ${id}`).toEqual([]);
      }
    }
    expect(session.browser.consoleErrors).toEqual([]);
  });
});
