import { Router } from 'express';
import type { PrismaClient } from '@prisma/client';
import type { Offer } from '@acme/types';

export function offersRouter(prisma: PrismaClient): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const status = req.query.view === 'admin' ? undefined : 'open';
    const rows = await prisma.offer.findMany({ where: status ? { status } : {}, orderBy: { createdAt: 'desc' } });
    const offers: Offer[] = rows.map((row) => ({ id: row.id, issuerId: row.issuerId, title: row.title, amountCents: row.amountCents, status: row.status as Offer['status'] }));
    res.json(offers);
  });
  return router;
}
