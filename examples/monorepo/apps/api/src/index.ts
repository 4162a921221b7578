import express from 'express';
import { PrismaClient } from '@prisma/client';
import { offersRouter } from './routes/offers.js';

const prisma = new PrismaClient();
const app = express();
app.use(express.json());

app.get('/healthz', async (_req, res) => {
  try {
    await prisma.$queryRaw`SELECT 1`;
    res.json({ ok: true, release: process.env.RELEASE ?? 'dev' });
  } catch {
    res.status(503).json({ ok: false });
  }
});
app.use('/offers', offersRouter(prisma));

const port = Number(process.env.PORT ?? 3000);
app.listen(port, () => console.log(`api listening on :${port}`));
