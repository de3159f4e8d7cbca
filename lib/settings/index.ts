import "server-only";
export {
  getInstanceSettings,
  readInstanceSettings,
  updateInstanceSettings,
  instanceSettingsDefaults,
  parseStoredSettings,
  forgetCachedSettings,
  setSettingsCacheTtlForTests,
  settingsPatchSchema,
  type InstanceSettings,
  type InstanceSettingsPatch,
  type VersionedSettings,
} from "./settings";
