package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/omnify-cloud/omnify/store"
	"github.com/omnify-cloud/omnify/store/mongo"
	"github.com/omnify-cloud/omnify/store/sqlite"
)

// StoreFlags choose the document store: the embedded SQLite file under the
// data dir, or MongoDB when a URI is given.
type StoreFlags struct {
	MongoURI      string `name:"mongo-uri" env:"OMNIFY_MONGO_URI" help:"MongoDB holding every record (mongodb://user:pass@host:27017 or mongodb+srv://...); empty keeps the embedded SQLite store."`
	MongoDatabase string `name:"mongo-database" env:"OMNIFY_MONGO_DATABASE" default:"omnify" help:"MongoDB database OmniFy uses."`
}

// backend is a store that can bring its schema (tables or indexes) up to
// date.
type backend interface {
	store.Store
	Migrate(ctx context.Context) error
}

func (f *StoreFlags) validate() error {
	if f.MongoURI == "" {
		return nil
	}
	u, err := url.Parse(f.MongoURI)
	if err != nil || (u.Scheme != "mongodb" && u.Scheme != "mongodb+srv") || u.Host == "" {
		return fmt.Errorf("OMNIFY_MONGO_URI (--mongo-uri) must be a mongodb:// or mongodb+srv:// URI")
	}
	if strings.TrimSpace(f.MongoDatabase) == "" {
		return fmt.Errorf("OMNIFY_MONGO_DATABASE (--mongo-database) must not be empty")
	}
	return nil
}

// openStore opens the chosen store and migrates it; sqlitePath is the
// embedded store's file, used when no MongoDB URI is set.
func (f *StoreFlags) openStore(ctx context.Context, sqlitePath string) (backend, error) {
	db, err := f.openBackend(ctx, sqlitePath)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("migrate store: %w", err)
	}
	return db, nil
}

// openBackend opens the chosen store without migrating it.
func (f *StoreFlags) openBackend(ctx context.Context, sqlitePath string) (backend, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	var db backend
	var err error
	if f.MongoURI != "" {
		db, err = mongo.Open(ctx, f.MongoURI, f.MongoDatabase, mongo.Options{})
	} else {
		db, err = sqlite.Open(ctx, sqlitePath, sqlite.Options{})
	}
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return db, nil
}
