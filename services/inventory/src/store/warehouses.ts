// Warehouses: created by an admin (or the seed), read by the planner and warehouse systems.
import { randomUUID } from "node:crypto";
import type { StoredAddress } from "../../../lib/address.js";
import { alreadyExists, PG, pgCode } from "../../../lib/errors.js";
import { one, rows, type Db } from "../../../lib/sql.js";

/** A warehouse's postal address: the shared stored shape; its coordinates are kept in lat/lon columns. */
export type AddressFields = Omit<StoredAddress, "location">;

export interface WarehouseRow {
  id: string;
  code: string;
  name: string;
  address: Partial<AddressFields>;
  lat: number | null;
  lon: number | null;
  active: boolean;
  priority: number;
}

export interface NewWarehouse {
  code: string;
  name: string;
  address: Partial<AddressFields>;
  lat: number | null;
  lon: number | null;
  priority: number;
}

const COLUMNS = "id, code, name, address, lat, lon, active, priority";

export async function createWarehouse(db: Db, w: NewWarehouse): Promise<WarehouseRow> {
  try {
    return (await one<WarehouseRow>(db,
      `INSERT INTO inventory.warehouses (id, code, name, address, lat, lon, priority)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [randomUUID(), w.code, w.name, JSON.stringify(w.address), w.lat, w.lon, w.priority]))!;
  } catch (err) {
    if (pgCode(err) === PG.uniqueViolation) throw alreadyExists("WAREHOUSE_CODE_TAKEN", `a warehouse with code ${JSON.stringify(w.code)} already exists`);
    throw err;
  }
}

/** Ordered by priority, then code: the planner's tie-break order. */
export async function listWarehouses(db: Db, includeInactive: boolean): Promise<WarehouseRow[]> {
  return rows<WarehouseRow>(db,
    `SELECT ${COLUMNS} FROM inventory.warehouses WHERE active OR $1 ORDER BY priority, code`, [includeInactive]);
}

export async function findWarehouseById(db: Db, id: string): Promise<WarehouseRow | undefined> {
  return one<WarehouseRow>(db, `SELECT ${COLUMNS} FROM inventory.warehouses WHERE id = $1`, [id]);
}

/** Codes are unique ignoring case, so the lookup ignores case too. */
export async function findWarehouseByCode(db: Db, code: string): Promise<WarehouseRow | undefined> {
  return one<WarehouseRow>(db, `SELECT ${COLUMNS} FROM inventory.warehouses WHERE lower(code) = lower($1)`, [code]);
}
