import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Request, Response } from 'express';
import type { Pool } from 'pg';
import { stringify } from 'csv-stringify/sync';
import { staffActor } from '../audit/service';
import { loadContestForOrganiser, loadVisibleContest } from '../contests/access';
import type { ContestRow } from '../contests/queries';
import { currentUser } from '../http/auth';
import { AppError, NotFoundError } from '../http/errors';
import { flash, render } from '../http/render';
import { tryParse } from '../http/validate';
import { formatCompact, formatNumber, formatDateTime, utcToZonedLocal, zonedLocalToUtc } from '../i18n/format';
import type { Lang } from '../i18n';
import { barChart, lineChart } from './charts';
import { checkMapping } from './importer';
import { findImportJob, startImportJob } from './importJobs';
import { guessMapping, METRIC_FIELDS, type ColumnMapping } from './parse';
import * as q from './queries';
import { manualSnapshotSchema, mappingSchema, tierRuleSchema } from './schemas';
import * as service from './service';
import { kindOfFile, previewRows, type SheetKind } from './source';

declare module 'express-session' {
  interface SessionData {
    metricsPending?: Record<string, { path: string; name: string; contestId: number; kind: SheetKind; sha256: string }>;
  }
}

const PAGE = 20;
const RULE_FIELDS = ['formula', 'wViews', 'wLikes', 'wComments', 'wShares', 'cutoff'] as const;

function slugOf(req: Request): string {
  return String(req.params.slug);
}

function idParam(v: unknown): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new NotFoundError();
  return n;
}

/**
 * A file name that multer decoded as Latin-1 although the browser sent UTF-8 ("sá»‘ liá»‡u.csv"):
 * decoded again when the bytes are valid UTF-8; a name already right is left alone.
 */
export function utf8FileName(name: string): string {
  if (!/[\u0080-\u00ff]/.test(name) || [...name].some((c) => c.charCodeAt(0) > 0xff)) return name;
  const bytes = Buffer.from(name, 'latin1');
  const text = bytes.toString('utf8');
  return text.includes('\uFFFD') ? name : text.normalize('NFC');
}

function monthDay(day: string): string {
  return `${day.slice(8, 10)}/${day.slice(5, 7)}`;
}

function reasonText(req: Request, item: q.ReportItem): string {
  const field = item.field ? req.t(`metrics.field.${item.field}`) : '';
  return req.t(`metrics.reason.${item.reason}`, { field });
}

/** Renders the charts for a language: axis values in the compact Vietnamese style ("13 triệu"). */
function charts(d: service.Dashboard, lang: Lang, t: Request['t']) {
  const compact = (n: number) => formatCompact(n, lang);
  return {
    perDay: d.days.length
      ? barChart(d.days.map((day, i) => ({ label: monthDay(day), value: d.entriesPerDay[i] ?? 0 })), {
          title: t('metrics.dashboard.perDay'),
          formatValue: (n) => formatNumber(Math.round(n), lang),
          markerAt: d.deadlineDay ? monthDay(d.deadlineDay) : undefined,
          markerLabel: t('metrics.dashboard.deadline'),
        })
      : '',
    views: d.viewDays.length
      ? lineChart(d.viewDays.map((day, i) => ({ label: monthDay(day), value: d.viewsOverTime[i] ?? 0 })), {
          title: t('metrics.dashboard.viewsOverTime'),
          formatValue: compact,
          markerAt: d.deadlineDay ? monthDay(d.deadlineDay) : undefined,
          markerLabel: t('metrics.dashboard.deadline'),
        })
      : '',
  };
}

export function metricsHandlers(pool: Pool, uploadDir: string) {
  const pendingDir = path.join(uploadDir, 'metrics-pending');

  const renderImports = async (req: Request, res: Response, contest: ContestRow, errors: Record<string, string> = {}, status = 200) => {
    const page = Math.max(1, Number(req.query.page) || 1);
    const [imports, total] = await Promise.all([q.listImports(pool, contest.id, PAGE, (page - 1) * PAGE), q.countImports(pool, contest.id)]);
    await render(res, 'metrics/imports', { title: req.t('metrics.imports.title', { contest: contest.title }), contest, imports, page, pages: Math.max(1, Math.ceil(total / PAGE)), errors, styles: ['metrics.css'] }, status);
  };

  const renderPreview = async (req: Request, res: Response, contest: ContestRow, token: string, values: Record<string, unknown>, errors: Record<string, string>, status = 200) => {
    const p = req.session.metricsPending?.[token];
    if (!p || p.contestId !== contest.id || !fs.existsSync(p.path)) {
      flash(req, 'error', req.t('metrics.preview.expired'));
      return req.session.save(() => res.redirect(303, `/organiser/contests/${contest.slug}/metrics`));
    }
    const rowsPreview = await previewRows(p.path, p.kind, 6);
    const header = rowsPreview[0] ?? [];
    const earlier = await q.findImportBySha(pool, contest.id, p.sha256);
    await render(res, 'metrics/preview', {
      title: req.t('metrics.preview.title', { file: p.name }),
      contest, token, file: p.name, header, sample: rowsPreview.slice(1), values, errors, fields: METRIC_FIELDS, earlier, styles: ['metrics.css'],
    }, status);
  };

  return {
    dashboard: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const d = await service.loadDashboardCached(pool, contest);
      await render(res, 'metrics/dashboard', {
        title: req.t('metrics.dashboard.title', { contest: contest.title }),
        contest, d, charts: charts(d, req.lang, req.t), rateMin: service.RATE_MIN_VIEWS, now: d.computedAt, styles: ['metrics.css'], scripts: ['metrics.js'], bodyClass: 'metrics-dashboard',
      });
    },

    exportDashboard: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const d = await service.loadDashboardCached(pool, contest);
      const t = d.totals;
      const lines: unknown[][] = [
        ['section', 'key', 'entries', 'views', 'likes', 'comments', 'shares'],
        ['totals', 'all', t.entries, t.views, t.likes, t.comments, t.shares],
        ['totals', 'eligible', t.eligible, '', '', '', ''],
        ...d.days.map((day, i) => ['entries_per_day', day, d.entriesPerDay[i], '', '', '', '']),
        ...d.viewDays.map((day, i) => ['engagement_by_day', day, '', d.viewsOverTime[i], d.likesOverTime[i], '', '']),
        ...d.byCategory.map((g) => ['category', g.key ?? '', g.entries, g.views, g.likes, '', '']),
        ...d.byProvince.map((g) => ['province', g.key ?? '', g.entries, g.views, g.likes, '', '']),
        ...d.topViews.map((e) => ['top_views', e.code, '', e.views, e.likes, e.comments, e.shares]),
        ['posting', 'before_window', d.posting.before, '', '', '', ''],
        ['posting', 'inside_window', d.posting.inside, '', '', '', ''],
        ['posting', 'after_window', d.posting.after, '', '', '', ''],
      ];
      res.type('text/csv; charset=utf-8');
      res.attachment(`${contest.slug}-dashboard.csv`);
      res.send(`\uFEFF${stringify(lines)}`);
    },

    posted: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const which = req.query.which === 'after' ? 'after' : 'before';
      const list = await q.postedOutsideWindow(pool, contest.id, which, 500);
      await render(res, 'metrics/posted', { title: req.t('metrics.dashboard.postedListTitle'), contest, which, list, styles: ['metrics.css'] });
    },

    publicStats: async (req: Request, res: Response) => {
      const contest = await loadVisibleContest(pool, slugOf(req), req.user);
      const totals = await q.dashboardTotals(pool, contest.id);
      await render(res, 'metrics/public', { title: req.t('metrics.public.title', { contest: contest.title }), contest, totals, styles: ['metrics.css'] });
    },

    imports: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      await renderImports(req, res, contest);
    },

    /** The file arrives (multipart, already checked by content); keep it and show the preview. */
    upload: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const up = req.upload;
      if (!up || (up.kind !== 'csv' && up.kind !== 'xlsx')) return renderImports(req, res, contest, { file: 'metrics.imports.noFile' }, 422);
      fs.mkdirSync(pendingDir, { recursive: true });
      // Pending files older than a day were abandoned on the preview screen.
      for (const f of fs.readdirSync(pendingDir)) {
        const full = path.join(pendingDir, f);
        if (Date.now() - fs.statSync(full).mtimeMs > 86400_000) fs.rmSync(full, { force: true });
      }
      const token = randomUUID();
      const kind = up.kind === 'xlsx' ? 'xlsx' : kindOfFile(up.tempPath, up.originalName);
      const dest = path.join(pendingDir, `${token}.${kind}`);
      fs.renameSync(up.tempPath, dest);
      req.session.metricsPending = { ...(req.session.metricsPending ?? {}), [token]: { path: dest, name: utf8FileName(up.originalName) || `metrics.${kind}`, contestId: contest.id, kind, sha256: up.sha256 } };
      let guessed: ColumnMapping;
      try {
        guessed = guessMapping((await previewRows(dest, kind, 1))[0] ?? []);
      } catch (err) {
        fs.rmSync(dest, { force: true });
        return renderImports(req, res, contest, { file: req.t('metrics.import.badFile', { reason: (err as Error).message.slice(0, 200) }) }, 422);
      }
      const values: Record<string, unknown> = Object.fromEntries(Object.entries(guessed).map(([k, v]) => [k, String(v)]));
      await renderPreview(req, res, contest, token, values, {});
    },

    /** The organiser confirmed the mapping: start the import in the background. */
    start: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const token = String(req.params.token);
      const p = req.session.metricsPending?.[token];
      if (!p || p.contestId !== contest.id || !fs.existsSync(p.path)) {
        flash(req, 'error', req.t('metrics.preview.expired'));
        return req.session.save(() => res.redirect(303, `/organiser/contests/${contest.slug}/metrics`));
      }
      const parsed = tryParse(mappingSchema, req.body);
      if (!parsed.ok) return renderPreview(req, res, contest, token, req.body as Record<string, unknown>, parsed.errors, 422);
      const { capturedAtAll, ...cols } = parsed.data;
      const mapping: ColumnMapping = Object.fromEntries(Object.entries(cols).filter(([, v]) => v !== undefined)) as ColumnMapping;
      const capturedAt = capturedAtAll ? zonedLocalToUtc(capturedAtAll, contest.time_zone) : undefined;
      try {
        checkMapping(mapping, capturedAt);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        const field = err.messageKey === 'metrics.import.noTime' ? 'capturedAtAll' : err.messageKey === 'metrics.import.noViewsColumn' ? 'views' : 'video';
        return renderPreview(req, res, contest, token, req.body as Record<string, unknown>, { [field]: err.messageKey }, 422);
      }
      const user = currentUser(req);
      const job = startImportJob(pool, {
        contest, filePath: p.path, fileName: p.name, kind: p.kind, mapping, capturedAt,
        actor: staffActor(user, String(req.id)), userId: user.id, removeFileAfter: true,
      });
      const rest = { ...(req.session.metricsPending ?? {}) };
      delete rest[token];
      req.session.metricsPending = rest;
      req.session.save(() => res.redirect(303, `/organiser/contests/${contest.slug}/metrics/jobs/${job.id}`));
    },

    job: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const job = findImportJob(String(req.params.job), contest.id);
      if (!job) throw new NotFoundError('job_not_found');
      if (job.state === 'done') return res.redirect(303, `/organiser/contests/${contest.slug}/metrics/imports/${job.importId}`);
      const pct = job.totalBytes ? Math.min(100, Math.round((100 * job.bytesRead) / job.totalBytes)) : 0;
      res.set('Cache-Control', 'no-store');
      await render(res, 'metrics/job', { title: req.t('metrics.job.title'), contest, job, pct, styles: ['metrics.css'], scripts: ['metrics.js'] }, job.state === 'failed' ? 422 : 200);
    },

    report: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const imp = await q.findImport(pool, contest.id, idParam(req.params.id));
      if (!imp) throw new NotFoundError('import_not_found');
      const earlier = await q.findImportBySha(pool, contest.id, imp.sha256);
      await render(res, 'metrics/report', {
        title: req.t('metrics.report.title', { id: imp.id }), contest, imp, sameFileAs: earlier && earlier.id !== imp.id ? earlier.id : null,
        reasonText: (item: q.ReportItem) => reasonText(req, item), styles: ['metrics.css'],
      });
    },

    reportCsv: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const imp = await q.findImport(pool, contest.id, idParam(req.params.id));
      if (!imp) throw new NotFoundError('import_not_found');
      const lines: unknown[][] = [
        [req.t('metrics.report.row'), req.t('metrics.report.outcome'), req.t('metrics.report.reason'), req.t('metrics.report.value')],
        ...imp.report.map((i) => [i.row, req.t(`metrics.outcome.${i.outcome}`), reasonText(req, i), i.value ?? '']),
      ];
      res.type('text/csv; charset=utf-8');
      res.attachment(`import-${imp.id}-report.csv`);
      res.send(`\uFEFF${stringify(lines)}`);
    },

    entryForm: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const entry = await q.findEntryByCode(pool, contest.id, String(req.params.code));
      if (!entry) throw new NotFoundError('entry_not_found');
      const history = await q.listEntrySnapshots(pool, entry.id);
      await render(res, 'metrics/entry', {
        title: req.t('metrics.manual.title', { code: entry.code }), contest, entry, history,
        values: { capturedAt: utcToZonedLocal(new Date(), contest.time_zone) }, errors: {}, styles: ['metrics.css'],
      });
    },

    saveEntry: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const code = String(req.params.code);
      const entry = await q.findEntryByCode(pool, contest.id, code);
      if (!entry) throw new NotFoundError('entry_not_found');
      const parsed = tryParse(manualSnapshotSchema, req.body);
      if (!parsed.ok) {
        const history = await q.listEntrySnapshots(pool, entry.id);
        return render(res, 'metrics/entry', { title: req.t('metrics.manual.title', { code: entry.code }), contest, entry, history, values: req.body, errors: parsed.errors, styles: ['metrics.css'] }, 422);
      }
      const { capturedAt, ...counts } = parsed.data;
      await service.recordManualSnapshot(pool, contest, entry.code, { capturedAt: zonedLocalToUtc(capturedAt, contest.time_zone), ...counts }, staffActor(currentUser(req), String(req.id)));
      flash(req, 'success', req.t('metrics.manual.saved', { code: entry.code }));
      req.session.save(() => res.redirect(303, `/organiser/contests/${contest.slug}/metrics/entries/${encodeURIComponent(entry.code)}`));
    },

    peoplesChoice: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const tiers = await q.engagementTiers(pool, contest.id);
      const blocks = [];
      for (const tier of tiers) {
        const saved = service.ruleOfTier(tier, contest);
        // ?tier=ID&formula=… previews another rule for one tier without saving it.
        let rule = saved;
        let values: Record<string, unknown> = ruleValues(saved, contest);
        let errors: Record<string, string> = {};
        if (String(req.query.tier) === String(tier.id)) {
          const parsed = tryParse(tierRuleSchema, req.query);
          values = { ...values, ...(req.query as Record<string, unknown>) };
          if (parsed.ok) rule = toRule(parsed.data, contest);
          else errors = parsed.errors;
        }
        const ranking = await service.peoplesChoiceRanking(pool, contest.id, tier, rule);
        blocks.push({ tier, rule, values, errors, ranking, formulaText: formulaText(rule, req) });
      }
      await render(res, 'metrics/peoplesChoice', { title: req.t('metrics.pc.title', { contest: contest.title }), contest, blocks, styles: ['metrics.css'] });
    },

    saveRule: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const tierId = idParam(req.params.tier);
      const parsed = tryParse(tierRuleSchema, req.body);
      if (!parsed.ok) {
        // The preview re-reads the rule from the query string: only its fields, each cut short, so
        // a hostile body cannot grow the redirect past what a browser or this server accepts.
        const body = req.body as Record<string, unknown>;
        const qs = new URLSearchParams();
        for (const k of RULE_FIELDS) if (body[k] !== undefined) qs.set(k, String(body[k]).slice(0, 100));
        qs.set('tier', String(tierId));
        return res.redirect(303, `/organiser/contests/${contest.slug}/peoples-choice?${qs.toString()}`);
      }
      const tier = await service.saveTierRule(pool, contest, tierId, toRule(parsed.data, contest), staffActor(currentUser(req), String(req.id)));
      flash(req, 'success', req.t('metrics.pc.saved', { name: tier.name }));
      req.session.save(() => res.redirect(303, `/organiser/contests/${contest.slug}/peoples-choice`));
    },
  };
}

function toRule(d: { formula: 'views' | 'likes' | 'weighted'; wViews: number; wLikes: number; wComments: number; wShares: number; cutoff: string }, contest: ContestRow): service.TierRule {
  return { formula: d.formula, weights: { views: d.wViews, likes: d.wLikes, comments: d.wComments, shares: d.wShares }, cutoffAt: zonedLocalToUtc(d.cutoff, contest.time_zone) };
}

function ruleValues(r: service.TierRule, contest: ContestRow): Record<string, unknown> {
  return { formula: r.formula, wViews: r.weights.views, wLikes: r.weights.likes, wComments: r.weights.comments, wShares: r.weights.shares, cutoff: utcToZonedLocal(r.cutoffAt, contest.time_zone) };
}

function formulaText(r: service.TierRule, req: Request): { formula: string; cutoff: (tz: string) => string } {
  const f = r.formula === 'views' ? req.t('metrics.field.views')
    : r.formula === 'likes' ? req.t('metrics.field.likes')
    : (['views', 'likes', 'comments', 'shares'] as const)
        .filter((k) => r.weights[k] !== 0)
        .map((k) => `${formatNumber(r.weights[k], req.lang)} × ${req.t(`metrics.field.${k}`)}`)
        .join(' + ') || '0';
  return { formula: f, cutoff: (tz: string) => formatDateTime(r.cutoffAt, tz, req.lang) };
}


