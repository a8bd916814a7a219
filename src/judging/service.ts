import type { Queryable } from '../db';
import { execute, maybeOne, one, rows } from '../db';
import { recordAudit, type Actor } from '../audit/service';
import { enqueueMail } from '../mail/outbox';
import { ConflictError, NotFoundError, ValidationError } from '../http/errors';
import { canTransition, changeEntryStatus, LIVE_FOR_JUDGING, type EntryStatus } from '../entries/states';
import {
  findJudgeRoundEntry, findRound, findScoringScreen, findSheetByAssignment, listCriteria, roundProgress,
  type CriterionRow, type JudgeEntryRow, type QueuePlace, type RoundRow, type SheetRow,
} from './queries';
import { isValidScore, judgeCanSeeRound, openingProblems, roundAcceptsScores, weightedScore } from './policy';
import type { CriterionInput, RoundInput } from './schemas';

/**
 * The rules of judging. Every function takes the caller's transaction (or pool for reads) and
 * plain data; state changes audit themselves in the same transaction.
 */

// ---------- rounds, criteria, panel ----------

export async function createRound(tx: Queryable, contestId: number, input: RoundInput, actor: Actor): Promise<number> {
  const row = await one<{ id: number }>(
    tx,
    `INSERT INTO rounds (contest_id, position, name, kind, entry_source, category_id, blind, others_scores, assignment_mode, judges_per_entry, deadline_at)
     VALUES ($1, (SELECT coalesce(max(position), 0) + 1 FROM rounds WHERE contest_id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10)
     RETURNING id`,
    [contestId, input.name, input.kind, input.entrySource, input.categoryId ?? null, input.blind, input.othersScores, input.assignmentMode,
      input.assignmentMode === 'n_per_entry' ? input.judgesPerEntry : null, input.deadlineAt ?? null],
  );
  await recordAudit(tx, actor, { action: 'round.created', subjectType: 'round', subjectId: row.id, contestId, after: input });
  return row.id;
}

async function draftRound(tx: Queryable, roundId: number): Promise<RoundRow> {
  const round = await findRound(tx, roundId, true);
  if (!round) throw new NotFoundError('round_not_found');
  if (round.state !== 'draft') throw new ConflictError('round_not_draft', 'judging.error.notDraft');
  return round;
}

export async function addCriterion(tx: Queryable, roundId: number, input: CriterionInput, actor: Actor): Promise<number> {
  const round = await draftRound(tx, roundId);
  const row = await one<{ id: number }>(
    tx,
    `INSERT INTO criteria (round_id, name, description, weight, scale_min, scale_max, step, position)
     VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT coalesce(max(position), 0) + 1 FROM criteria WHERE round_id = $1)) RETURNING id`,
    [roundId, input.name, input.description, input.weight, input.scaleMin, input.scaleMax, input.step],
  );
  await recordAudit(tx, actor, { action: 'criterion.added', subjectType: 'round', subjectId: roundId, contestId: round.contest_id, after: input });
  return row.id;
}

export async function removeCriterion(tx: Queryable, roundId: number, criterionId: number, actor: Actor): Promise<void> {
  const round = await draftRound(tx, roundId);
  const n = await execute(tx, 'DELETE FROM criteria WHERE id = $1 AND round_id = $2', [criterionId, roundId]);
  if (!n) throw new NotFoundError('criterion_not_found');
  await recordAudit(tx, actor, { action: 'criterion.removed', subjectType: 'round', subjectId: roundId, contestId: round.contest_id, before: { criterionId } });
}

export async function addJudge(tx: Queryable, roundId: number, judgeId: number, actor: Actor): Promise<number> {
  const round = await findRound(tx, roundId, true);
  if (!round) throw new NotFoundError('round_not_found');
  if (round.state === 'closed') throw new ConflictError('round_closed', 'judging.error.closed');
  const judge = await maybeOne(tx, `SELECT id FROM users WHERE id = $1 AND role = 'judge' AND disabled_at IS NULL`, [judgeId]);
  if (!judge) throw new ValidationError({ judgeId: 'judging.error.notJudge' });
  await execute(tx, 'INSERT INTO round_judges (round_id, judge_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [roundId, judgeId]);
  await recordAudit(tx, actor, { action: 'round.judge_added', subjectType: 'round', subjectId: roundId, contestId: round.contest_id, after: { judgeId } });
  // Joining an open round: only what is new is assigned (and loads are rebalanced).
  return round.state === 'open' ? assignRound(tx, round) : 0;
}

export async function removeJudge(tx: Queryable, roundId: number, judgeId: number, actor: Actor): Promise<void> {
  const round = await findRound(tx, roundId, true);
  if (!round) throw new NotFoundError('round_not_found');
  if (round.state === 'closed') throw new ConflictError('round_closed', 'judging.error.closed');
  const scored = await maybeOne(tx, 'SELECT 1 FROM scoresheets WHERE round_id = $1 AND judge_id = $2 LIMIT 1', [roundId, judgeId]);
  if (scored) throw new ConflictError('judge_has_scoresheets', 'judging.error.judgeHasSheets');
  await execute(tx, 'DELETE FROM assignments WHERE round_id = $1 AND judge_id = $2', [roundId, judgeId]);
  await execute(tx, 'DELETE FROM round_judges WHERE round_id = $1 AND judge_id = $2', [roundId, judgeId]);
  await recordAudit(tx, actor, { action: 'round.judge_removed', subjectType: 'round', subjectId: roundId, contestId: round.contest_id, before: { judgeId } });
  if (round.state === 'open') await assignRound(tx, round);
}

// ---------- entries of a round and assignment ----------

/** Adds the round's missing entries from its source; returns how many were added. */
export async function syncRoundEntries(tx: Queryable, round: RoundRow): Promise<number> {
  // A screening round takes the entries still to screen; a scoring round the eligible (or promoted) ones.
  const statuses = round.kind === 'screening' ? ['received'] : round.entry_source === 'promoted' ? ['shortlisted'] : [...LIVE_FOR_JUDGING];
  return execute(
    tx,
    `INSERT INTO round_entries (round_id, entry_id)
     SELECT $1, e.id FROM entries e
      WHERE e.contest_id = $2 AND e.status = ANY ($3::text[]) AND ($4::bigint IS NULL OR e.category_id = $4)
     ON CONFLICT DO NOTHING`,
    [round.id, round.contest_id, statuses, round.category_id],
  );
}

/** Assigns what is missing, in the database (see migrations/030); returns the number of new assignments. */
export async function assignRound(tx: Queryable, round: RoundRow): Promise<number> {
  const n = round.assignment_mode === 'n_per_entry' ? round.judges_per_entry ?? 1 : null;
  const r = await one<{ added: number }>(tx, 'SELECT judging_assign($1, $2) AS added', [round.id, n]);
  return r.added;
}

export async function openRound(tx: Queryable, roundId: number, actor: Actor): Promise<{ entries: number; assigned: number }> {
  const round = await findRound(tx, roundId, true);
  if (!round) throw new NotFoundError('round_not_found');
  const counts = await one<{ criteria: number; judges: number }>(
    tx,
    `SELECT (SELECT count(*)::int FROM criteria WHERE round_id = $1) AS criteria, (SELECT count(*)::int FROM round_judges WHERE round_id = $1) AS judges`,
    [roundId],
  );
  const problems = openingProblems({ kind: round.kind, state: round.state, ...counts });
  if (problems.length) throw new ConflictError('round_cannot_open', problems[0]!);
  const entries = await syncRoundEntries(tx, round);
  const assigned = await assignRound(tx, round);
  await execute(tx, `UPDATE rounds SET state = 'open', opened_at = now() WHERE id = $1`, [roundId]);
  await recordAudit(tx, actor, { action: 'round.opened', subjectType: 'round', subjectId: roundId, contestId: round.contest_id, before: { state: 'draft' }, after: { state: 'open', entries, assigned } });
  return { entries, assigned };
}

/** Adds entries that became eligible since the round opened and assigns only them. */
export async function refreshRound(tx: Queryable, roundId: number, actor: Actor): Promise<{ entries: number; assigned: number }> {
  const round = await findRound(tx, roundId, true);
  if (!round) throw new NotFoundError('round_not_found');
  if (round.state === 'closed') throw new ConflictError('round_closed', 'judging.error.closed');
  const entries = await syncRoundEntries(tx, round);
  const assigned = round.state === 'open' ? await assignRound(tx, round) : 0;
  await recordAudit(tx, actor, { action: 'round.refreshed', subjectType: 'round', subjectId: roundId, contestId: round.contest_id, after: { entries, assigned } });
  return { entries, assigned };
}

export async function missingScoresheets(q: Queryable, roundId: number): Promise<number> {
  const r = await one<{ n: number }>(
    q,
    `SELECT count(*)::int AS n FROM assignments a
      WHERE a.round_id = $1 AND NOT EXISTS (SELECT 1 FROM scoresheets s WHERE s.assignment_id = a.id AND s.status = 'submitted')`,
    [roundId],
  );
  return r.n;
}

/** Closing with scoresheets missing needs `force` (the organiser confirmed the warning). */
export async function closeRound(tx: Queryable, roundId: number, actor: Actor, force: boolean): Promise<{ missing: number }> {
  const round = await findRound(tx, roundId, true);
  if (!round) throw new NotFoundError('round_not_found');
  if (round.state !== 'open') throw new ConflictError('round_not_open', 'judging.error.notOpen');
  const missing = await missingScoresheets(tx, roundId);
  if (missing > 0 && !force) throw new ConflictError('missing_scoresheets', 'judging.error.missingSheets', { n: missing });
  await execute(tx, `UPDATE rounds SET state = 'closed', closed_at = now() WHERE id = $1`, [roundId]);
  await recordAudit(tx, actor, { action: 'round.closed', subjectType: 'round', subjectId: roundId, contestId: round.contest_id, before: { state: 'open' }, after: { state: 'closed', missing } });
  return { missing };
}

// ---------- conflicts ----------

async function reassignAfterConflict(tx: Queryable, contestId: number, judgeId: number): Promise<number> {
  // Unscored assignments that the new conflict forbids are removed, then refilled by other judges.
  const dropped = await rows<{ round_id: number }>(
    tx,
    `DELETE FROM assignments a USING rounds r
      WHERE r.id = a.round_id AND r.contest_id = $1 AND r.state <> 'closed' AND a.judge_id = $2
        AND judging_conflicted(a.judge_id, a.entry_id)
        AND NOT EXISTS (SELECT 1 FROM scoresheets s WHERE s.assignment_id = a.id AND s.status = 'submitted')
      RETURNING a.round_id`,
    [contestId, judgeId],
  );
  for (const roundId of new Set(dropped.map((d) => d.round_id))) {
    const round = await findRound(tx, roundId);
    if (round?.state === 'open') await assignRound(tx, round);
  }
  return dropped.length;
}

export async function addConflict(
  tx: Queryable,
  contestId: number,
  c: { judgeId: number; entryId?: number | null; organisation?: string | null; reason: string; source: 'organiser' | 'judge' },
  actor: Actor,
): Promise<{ moved: number }> {
  const judge = await maybeOne(tx, `SELECT id FROM users WHERE id = $1 AND role = 'judge'`, [c.judgeId]);
  if (!judge) throw new ValidationError({ judgeId: 'judging.error.notJudge' });
  await execute(
    tx,
    `INSERT INTO conflicts (contest_id, judge_id, entry_id, organisation, source, reason, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
    [contestId, c.judgeId, c.entryId ?? null, c.organisation ?? null, c.source, c.reason, actor.id],
  );
  const moved = await reassignAfterConflict(tx, contestId, c.judgeId);
  await recordAudit(tx, actor, { action: 'conflict.added', subjectType: 'user', subjectId: c.judgeId, contestId, after: { ...c, moved } });
  return { moved };
}

/** A judge declares a conflict from the scoring screen: the entry moves to another judge. */
export async function declareConflict(tx: Queryable, judgeId: number, roundId: number, code: string, reason: string, actor: Actor) {
  const { round, entry } = await loadJudgeEntry(tx, judgeId, roundId, code);
  if (!roundAcceptsScores(round.state)) throw new ConflictError('round_closed', 'judging.error.closed');
  return addConflict(tx, round.contest_id, { judgeId, entryId: entry.entry_id, reason, source: 'judge' }, actor);
}

/** Moves one assignment by hand to another judge of the panel. */
export async function moveAssignment(tx: Queryable, roundId: number, assignmentId: number, toJudgeId: number, actor: Actor): Promise<void> {
  const round = await findRound(tx, roundId, true);
  if (!round) throw new NotFoundError('round_not_found');
  if (round.state === 'closed') throw new ConflictError('round_closed', 'judging.error.closed');
  const a = await maybeOne<{ id: number; entry_id: number; judge_id: number }>(
    tx, 'SELECT id, entry_id, judge_id FROM assignments WHERE id = $1 AND round_id = $2 FOR UPDATE', [assignmentId, roundId]);
  if (!a) throw new NotFoundError('assignment_not_found');
  const ok = await maybeOne<{ ok: boolean }>(
    tx,
    `SELECT EXISTS (SELECT 1 FROM round_judges WHERE round_id = $1 AND judge_id = $2)
        AND NOT EXISTS (SELECT 1 FROM assignments WHERE round_id = $1 AND entry_id = $3 AND judge_id = $2)
        AND NOT judging_conflicted($2, $3) AS ok`,
    [roundId, toJudgeId, a.entry_id],
  );
  if (!ok?.ok) throw new ValidationError({ judgeId: 'judging.error.cannotMove' });
  const sheet = await maybeOne(tx, 'SELECT 1 FROM scoresheets WHERE assignment_id = $1', [assignmentId]);
  if (sheet) throw new ConflictError('assignment_has_scoresheet', 'judging.error.hasSheet');
  await execute(tx, 'UPDATE assignments SET judge_id = $2 WHERE id = $1', [assignmentId, toJudgeId]);
  await recordAudit(tx, actor, { action: 'assignment.moved', subjectType: 'assignment', subjectId: assignmentId, contestId: round.contest_id, before: { judgeId: a.judge_id }, after: { judgeId: toJudgeId } });
}

// ---------- the judge's side ----------

/** A round the judge sits on and may see; anything else is a 404 (its existence is not disclosed). */
export async function loadJudgeRound(q: Queryable, judgeId: number, roundId: number): Promise<RoundRow> {
  const round = await findRound(q, roundId);
  if (!round || !judgeCanSeeRound(round.state)) throw new NotFoundError('round_not_found');
  const seat = await maybeOne(q, 'SELECT 1 FROM round_judges WHERE round_id = $1 AND judge_id = $2', [roundId, judgeId]);
  if (!seat) throw new NotFoundError('round_not_found');
  return round;
}

/** The judge's assigned entry in a round they may see: one query, a 404 for anything else. */
export async function loadJudgeEntry(q: Queryable, judgeId: number, roundId: number, code: string): Promise<{ round: RoundRow; entry: JudgeEntryRow }> {
  const row = await findJudgeRoundEntry(q, roundId, judgeId, code);
  if (!row) throw new NotFoundError('entry_not_found');
  const { round, ...entry } = row;
  return { round: roundFromJson(round), entry };
}

/** judge_round_entry() gives the round as to_jsonb: its dates arrive as strings. */
function roundFromJson(round: RoundRow): RoundRow {
  return { ...round, deadline_at: round.deadline_at ? new Date(round.deadline_at) : null };
}

/** The scoring screen's entry, round, scoresheet and place in the queue: one query, a 404 for anything else. */
export async function loadScoringScreen(q: Queryable, judgeId: number, roundId: number, code: string): Promise<{ round: RoundRow; entry: JudgeEntryRow; sheet: SheetRow | undefined; queue: QueuePlace }> {
  const row = await findScoringScreen(q, roundId, judgeId, code);
  if (!row) throw new NotFoundError('entry_not_found');
  const { round, sheet_id, sheet_status, sheet_verdict, sheet_comment, sheet_version, sheet_submitted_at, sheet_updated_at, sheet_scores,
    queue_position, queue_total, prev_code, next_code, ...entry } = row;
  const sheet: SheetRow | undefined = sheet_id === null ? undefined : {
    id: sheet_id, assignment_id: entry.assignment_id, status: sheet_status as SheetRow['status'], verdict: sheet_verdict, comment: sheet_comment as string,
    version: sheet_version as number, submitted_at: sheet_submitted_at, updated_at: sheet_updated_at as Date, scores: sheet_scores,
  };
  return {
    round: roundFromJson(round),
    entry,
    sheet,
    queue: queue_total === null ? { position: 0, total: 0, prev_code: null, next_code: null } : { position: queue_position as number, total: queue_total, prev_code, next_code },
  };
}

export interface ScoresheetInput {
  scores: Record<string, number | null | undefined>;
  comment: string;
  version: number;
  submit: boolean;
  verdict?: 'eligible' | 'not_eligible' | null;
}

function checkScores(criteria: CriterionRow[], input: ScoresheetInput): Map<number, number> {
  const errors: Record<string, string> = {};
  const values = new Map<number, number>();
  const known = new Set(criteria.map((c) => String(c.id)));
  for (const key of Object.keys(input.scores)) if (!known.has(key)) errors[`scores.${key}`] = 'judging.error.unknownCriterion';
  for (const c of criteria) {
    const v = input.scores[String(c.id)];
    if (v === undefined || v === null) {
      if (input.submit) errors[`scores.${c.id}`] = 'judging.error.scoreRequired';
      continue;
    }
    if (!isValidScore(c, v)) errors[`scores.${c.id}`] = 'judging.error.scoreOutOfScale';
    else values.set(c.id, v);
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return values;
}

/**
 * Saves a draft (autosave or button) or submits. The version in the input is the one the judge's
 * tab last saw: an older one is a stale tab, refused rather than overwriting a newer save.
 */
export async function saveScoresheet(tx: Queryable, judgeId: number, roundId: number, code: string, input: ScoresheetInput, actor: Actor) {
  const { round, entry } = await loadJudgeEntry(tx, judgeId, roundId, code);
  if (!roundAcceptsScores(round.state)) throw new ConflictError('round_closed', 'judging.error.closed');
  // A conflict found after scoring keeps the submitted sheet (and its assignment) for the record,
  // but the judge must not score that entry any more.
  const conflicted = await one<{ c: boolean }>(tx, 'SELECT judging_conflicted($1, $2) AS c', [judgeId, entry.entry_id]);
  if (conflicted.c) throw new ConflictError('judge_conflicted', 'judging.error.conflicted');
  const criteria = round.kind === 'scoring' ? await listCriteria(tx, roundId) : [];
  const values = checkScores(criteria, input);
  if (round.kind === 'screening' && input.submit && !input.verdict) throw new ValidationError({ verdict: 'judging.error.verdictRequired' });
  // Two tabs saving at once queue up on the assignment row, so the version check sees the winner.
  await execute(tx, 'SELECT id FROM assignments WHERE id = $1 FOR UPDATE', [entry.assignment_id]);
  const existing = await findSheetByAssignment(tx, entry.assignment_id, true);
  const currentVersion = existing?.version ?? 0;
  if (input.version !== currentVersion) throw new ConflictError('stale_scoresheet', 'judging.error.stale', { version: currentVersion });
  const status = input.submit ? 'submitted' : existing?.status === 'submitted' ? 'submitted' : 'draft';
  // Editing a submitted scoresheet keeps it submitted only with a complete set of scores.
  if (status === 'submitted' && !input.submit) checkScores(criteria, { ...input, submit: true });
  let sheetId: number;
  let version: number;
  if (existing) {
    const r = await one<{ id: number; version: number }>(
      tx,
      `UPDATE scoresheets SET status = $2, comment = $3, verdict = $4, version = version + 1, updated_at = now(),
              submitted_at = CASE WHEN $2 = 'submitted' THEN coalesce(submitted_at, now()) ELSE NULL END
        WHERE id = $1 RETURNING id, version`,
      [existing.id, status, input.comment, input.verdict ?? null],
    );
    sheetId = r.id;
    version = r.version;
    await execute(tx, 'DELETE FROM scores WHERE scoresheet_id = $1', [sheetId]);
  } else {
    const r = await one<{ id: number; version: number }>(
      tx,
      `INSERT INTO scoresheets (assignment_id, round_id, entry_id, judge_id, status, comment, verdict, version, submitted_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 1, CASE WHEN $5 = 'submitted' THEN now() END) RETURNING id, version`,
      [entry.assignment_id, roundId, entry.entry_id, judgeId, status, input.comment, input.verdict ?? null],
    );
    sheetId = r.id;
    version = r.version;
  }
  if (values.size) {
    await execute(
      tx,
      'INSERT INTO scores (scoresheet_id, criterion_id, value) SELECT $1, unnest($2::bigint[]), unnest($3::numeric[])',
      [sheetId, [...values.keys()], [...values.values()]],
    );
  }
  const scoresJson = Object.fromEntries([...values].map(([k, v]) => [String(k), v]));
  await execute(
    tx,
    'INSERT INTO scoresheet_history (scoresheet_id, version, status, scores, comment, changed_by) VALUES ($1, $2, $3, $4, $5, $6)',
    [sheetId, version, status, JSON.stringify(scoresJson), input.comment, judgeId],
  );
  // In a screening round, a submitted verdict is the screening decision on the entry.
  if (round.kind === 'screening' && input.submit && input.verdict) {
    const cur = await one<{ status: EntryStatus }>(tx, 'SELECT status FROM entries WHERE id = $1', [entry.entry_id]);
    if (cur.status !== input.verdict && canTransition(cur.status, input.verdict)) {
      await changeEntryStatus(tx, { entryId: entry.entry_id, to: input.verdict, actor, note: input.comment || null });
    }
  }
  if (input.submit && existing?.status !== 'submitted') {
    await recordAudit(tx, actor, { action: 'scoresheet.submitted', subjectType: 'scoresheet', subjectId: sheetId, contestId: round.contest_id, after: { code, version } });
  }
  return { id: sheetId, version, status, total: weightedScore(criteria, values) };
}

/** What the judge's screens (HTML and JSON) may show of an entry: in a blind round, nothing of the entrant. */
export function presentEntry(round: Pick<RoundRow, 'blind'>, e: JudgeEntryRow) {
  const base = { code: e.code, title: e.title, description: e.description, category: e.category, videoId: e.video_id, hasFile: e.video_file_id !== null };
  if (round.blind) return { ...base, entrant: null, tiktokUrl: null };
  return { ...base, entrant: { displayName: e.entrant_display_name, organisation: e.entrant_organisation, province: e.entrant_province }, tiktokUrl: e.tiktok_url };
}

export function presentSheet(s: SheetRow | undefined) {
  if (!s) return { status: null, version: 0, comment: '', scores: {} as Record<string, number>, verdict: null };
  return { status: s.status, version: s.version, comment: s.comment, scores: s.scores ?? {}, verdict: s.verdict };
}

// ---------- oversight ----------

/** Queues a reminder to every judge of an open round with scoresheets still to do. */
export async function remindLaggingJudges(tx: Queryable, roundId: number, actor: Actor, baseUrl: string): Promise<number> {
  const round = await findRound(tx, roundId);
  if (!round) throw new NotFoundError('round_not_found');
  if (round.state !== 'open') throw new ConflictError('round_not_open', 'judging.error.notOpen');
  const lagging = (await roundProgress(tx, roundId)).filter((p) => p.done < p.total);
  for (const j of lagging) {
    await enqueueMail(tx, {
      kind: 'judging.reminder',
      to: j.email,
      contestId: round.contest_id,
      subject: `Nhắc chấm thi: ${round.name} / Judging reminder`,
      text: `Xin chào ${j.name},\n\nBạn còn ${j.total - j.done} / ${j.total} phiếu chấm chưa gửi ở vòng "${round.name}".\nYou have ${j.total - j.done} of ${j.total} scoresheets left in "${round.name}".\n\n${baseUrl}/judging/rounds/${round.id}\n`,
    });
  }
  await recordAudit(tx, actor, { action: 'round.reminded', subjectType: 'round', subjectId: roundId, contestId: round.contest_id, after: { judges: lagging.map((l) => l.judge_id) } });
  return lagging.length;
}
