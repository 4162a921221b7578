export { Button } from './Button';
export { OfferCard } from './OfferCard';
