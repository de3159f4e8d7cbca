import "server-only";
export {
  reencodeImageUpload,
  sniffImageType,
  looksLikeSvg,
  contentEtag,
  type ImageUploadRules,
  type ImageUploadMessages,
  type ReencodedImage,
  type SniffedImageType,
} from "./upload";
