import express from 'express';
import type { Pool } from 'pg';
import { requireOrganiser } from '../http/auth';
import { resultsHandlers } from './handlers';

/** Results, the winners list, exports, the public winners page and the ceremony. */
export function resultsRoutes(pool: Pool): express.Router {
  const h = resultsHandlers(pool);
  const r = express.Router();
  const m = '/organiser/contests/:slug';
  r.get(`${m}/results`, requireOrganiser, h.leaderboard);
  r.get(`${m}/results/rounds/:roundId/entries/:code`, requireOrganiser, h.entrySheets);
  r.post(`${m}/results/ties`, requireOrganiser, h.decideTie);
  r.post(`${m}/results/promote`, requireOrganiser, h.promote);
  r.get(`${m}/winners`, requireOrganiser, h.manageWinners);
  r.post(`${m}/winners/suggest`, requireOrganiser, h.suggest);
  r.post(`${m}/winners/awards`, requireOrganiser, h.addAward);
  r.post(`${m}/winners/awards/:awardId/replace`, requireOrganiser, h.replaceAward);
  r.post(`${m}/winners/awards/:awardId/remove`, requireOrganiser, h.removeAward);
  r.get(`${m}/winners/awards/:awardId/certificate.pdf`, requireOrganiser, h.certificate);
  r.post(`${m}/winners/publish`, requireOrganiser, h.publish);
  r.post(`${m}/winners/unpublish`, requireOrganiser, h.unpublish);
  r.get(`${m}/exports/results.csv`, requireOrganiser, h.exportResultsCsv);
  r.get(`${m}/exports/results.xlsx`, requireOrganiser, h.exportResultsXlsx);
  r.get(`${m}/exports/scoresheets.csv`, requireOrganiser, h.exportScoresheetsCsv);
  r.get(`${m}/exports/scoresheets.xlsx`, requireOrganiser, h.exportScoresheetsXlsx);
  r.get(`${m}/exports/entries.csv`, requireOrganiser, h.exportEntriesCsv);
  r.get(`${m}/exports/entries.xlsx`, requireOrganiser, h.exportEntriesXlsx);
  r.get(`${m}/exports/winners.xlsx`, requireOrganiser, h.exportWinnersXlsx);
  r.get(`${m}/exports/winners.csv`, requireOrganiser, h.exportWinnersCsv);
  r.get(`${m}/exports/winners.pdf`, requireOrganiser, h.exportWinnersPdf);
  r.get(`${m}/exports/certificates.zip`, requireOrganiser, h.certificatesZip);
  r.get(`${m}/audit`, requireOrganiser, h.audit);
  r.get(`${m}/audit.csv`, requireOrganiser, h.auditCsv);
  r.get('/c/:slug/winners', h.publicWinnersPage);
  r.get('/c/:slug/ceremony', h.ceremony);
  r.get('/api/v1/contests/:slug/winners', h.publicWinnersApi);
  return r;
}
