package demo

import "fmt"

// Dataset is a generated data set held in memory.
type Dataset struct {
	Config          Config // with defaults applied
	Customers       []Customer
	Orders          []Order // grouped by customer, in time order
	Campaigns       []Campaign
	CampaignMetrics []CampaignMetric
}

// Generate builds the data set described by cfg in memory. For more than
// MaxInMemoryCustomers customers use WriteTransactionsCSV.
func Generate(cfg Config) (*Dataset, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("generate demo data: %w", err)
	}
	if cfg.Customers > MaxInMemoryCustomers {
		return nil, fmt.Errorf("generate demo data: %d customers exceed the in-memory limit of %d: %w",
			cfg.Customers, MaxInMemoryCustomers, ErrInvalidConfig)
	}
	ds := &Dataset{Config: cfg, Customers: make([]Customer, 0, cfg.Customers)}
	g := newGenerator(cfg)
	for i := 0; i < cfg.Customers; i++ {
		c, orders := g.customer(i)
		ds.Customers = append(ds.Customers, c)
		ds.Orders = append(ds.Orders, orders...)
	}
	ds.Campaigns, ds.CampaignMetrics = campaigns(cfg)
	return ds, nil
}
