// Package demo owns OmniFy's synthetic e-commerce data: a documented
// generative process that fills a demo organisation (`omnify demo`) and
// feeds the million-customer benchmark of the EYES pipeline.
//
// # Generative process
//
// Each customer i is generated from its own random stream, derived from
// Config.Seed and i, so a customer is the same whether the data set is
// built in memory (Generate) or streamed (WriteTransactionsCSV), and any
// prefix of a larger data set equals the smaller one.
//
//  1. Persona. One of the latent personas (DefaultPersonas: loyal high
//     spenders, bargain hunters, one-time buyers, seasonal gift buyers,
//     subscribers, lapsed customers) is drawn by its share. The persona
//     fixes the distributions of the steps below, so segmenting the
//     customers finds real structure.
//  2. Acquisition. The first purchase time has a density that grows
//     exponentially (Config.Growth per year) and follows the seasonality
//     of step 4. The customer record is created at the first purchase.
//  3. Purchasing (BG/NBD-like). A purchase rate λ ~ Gamma(R, Alpha) per
//     week and a drop-out probability p ~ Beta(A, B) are drawn. While
//     active, the customer buys at rate λ modulated by seasonality; after
//     each repeat purchase they leave for good with probability p.
//     Subscribers buy at regular intervals (Erlang gaps) instead of
//     Poisson ones.
//  4. Seasonality. A month-of-year profile with the November-December
//     peak, and a day-of-week profile, thin the purchase process; seasonal
//     gift buyers follow a much sharper holiday profile.
//  5. Spend (Gamma-Gamma). A per-customer scale ν ~ Gamma(SpendQ,
//     SpendGamma) is drawn; each order value is Gamma(SpendP, ν), rounded to
//     whole cents of Config.Currency with a floor of one unit.
//  6. Platforms and identity. The customer buys on Shopify or Stripe (a
//     few on both) and may also exist as a Klaviyo, HubSpot or GoHighLevel
//     contact. Every platform has its own external ID and its own spelling
//     of the email address (case, surrounding spaces), all of which
//     normalise (trim, lower-case) to Customer.Email.
//  7. Consent. Marketing consent is granted, denied or unknown with the
//     configured rates.
//
// Campaigns are generated from a separate stream: each has a channel, a
// platform, a flight within the period and daily spend, impressions,
// clicks and conversions that follow the same seasonality.
//
// All e-mail addresses use domains reserved for documentation (RFC 2606),
// so demo data can never reach a real person.
package demo
