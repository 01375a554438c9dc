// Home shows the org and its members until the KPI page replaces it.
export { OrgHome as Home } from './OrgHome'
