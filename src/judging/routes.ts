import express from 'express';
import type { Pool } from 'pg';
import type { Config } from '../config';
import { requireOrganiser, requireRole } from '../http/auth';
import { judgingHandlers } from './handlers';

const requireJudge = requireRole('judge');

/** Screening, rounds and oversight for organisers; the dashboard, queue and scoring screen for judges. */
export function judgingRoutes(pool: Pool, config: Config): express.Router {
  const h = judgingHandlers(pool, config);
  const r = express.Router();
  // Screening (organiser)
  r.get('/organiser/contests/:slug/screening', requireOrganiser, h.screeningList);
  r.post('/organiser/contests/:slug/screening/decide', requireOrganiser, h.screeningDecide);
  r.post('/organiser/contests/:slug/screening/reasons', requireOrganiser, h.screeningAddReason);
  // Rounds, panel, criteria, conflicts (organiser)
  r.get('/organiser/contests/:slug/rounds', requireOrganiser, (req, res) => h.roundsPage(req, res));
  r.post('/organiser/contests/:slug/rounds', requireOrganiser, h.createRound);
  r.post('/organiser/contests/:slug/conflicts', requireOrganiser, h.addContestConflict);
  r.get('/organiser/rounds/:roundId', requireOrganiser, h.roundPage);
  r.post('/organiser/rounds/:roundId/criteria', requireOrganiser, h.roundAction('criterion'));
  r.post('/organiser/rounds/:roundId/criteria/:criterionId/delete', requireOrganiser, h.roundAction('removeCriterion'));
  r.post('/organiser/rounds/:roundId/judges', requireOrganiser, h.roundAction('addJudge'));
  r.post('/organiser/rounds/:roundId/judges/:judgeId/remove', requireOrganiser, h.roundAction('removeJudge'));
  r.post('/organiser/rounds/:roundId/open', requireOrganiser, h.roundAction('open'));
  r.post('/organiser/rounds/:roundId/close', requireOrganiser, h.roundAction('close'));
  r.post('/organiser/rounds/:roundId/refresh', requireOrganiser, h.roundAction('refresh'));
  r.post('/organiser/rounds/:roundId/remind', requireOrganiser, h.roundAction('remind'));
  r.post('/organiser/rounds/:roundId/assignments/:assignmentId/move', requireOrganiser, h.roundAction('move'));
  r.get('/organiser/rounds/:roundId/progress', requireOrganiser, h.progressPage);
  r.get('/organiser/rounds/:roundId/scoresheets/:sheetId', requireOrganiser, h.sheetPage);
  // The judge's screens
  r.get('/judging', requireJudge, h.dashboard);
  r.get('/judging/rounds/:roundId', requireJudge, h.queue);
  r.get('/judging/rounds/:roundId/entries/:code', requireJudge, (req, res) => h.scoringPage(req, res));
  r.post('/judging/rounds/:roundId/entries/:code', requireJudge, h.saveForm);
  r.post('/judging/rounds/:roundId/entries/:code/conflict', requireJudge, h.declareConflict);
  r.get('/judging/rounds/:roundId/entries/:code/video', requireJudge, h.video);
  r.get('/api/v1/judging/rounds/:roundId/entries/:code', requireJudge, h.scoringJson);
  r.post('/api/v1/judging/rounds/:roundId/entries/:code/scoresheet', requireJudge, h.autosave);
  return r;
}
