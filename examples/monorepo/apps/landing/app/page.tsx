import { Button } from '@acme/ui';

export default function Home() {
  return (
    <main>
      <h1>Invest in the businesses around you</h1>
      <p>Acme connects growing companies with investors, with every offer reviewed before it opens.</p>
      <a href="https://investor.acme.example/signup">
        <Button>Start investing</Button>
      </a>
    </main>
  );
}
