import "server-only";
export {
  importUsers,
  importUsersFromFile,
  parseImportRow,
  importRowSchema,
  readImportFile,
  IMPORT_FORMATS,
  type ImportFormat,
  type ImportRecord,
  type ImportFailure,
  type ImportSummary,
  type ImportProgress,
  type ImportOptions,
} from "./import";
