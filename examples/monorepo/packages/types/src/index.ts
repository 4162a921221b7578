export type OfferStatus = 'draft' | 'open' | 'funded' | 'closed';

export interface Offer {
  id: string;
  issuerId: string;
  title: string;
  amountCents: number;
  status: OfferStatus;
}

export interface Investment {
  id: string;
  offerId: string;
  investorId: string;
  amountCents: number;
}
