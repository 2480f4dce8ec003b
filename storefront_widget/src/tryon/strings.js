// The try-on panel's words in English and French: the editor's i18n.js takes them in (a page
// may override them, config.strings); the admin's try-on panel uses the English ones.
export const TRYON_EN = {
  tryon_open: "Try it on",
  tryon: "Virtual try-on",
  tryon_alt: "You wearing the design",
  tryon_camera: "Use my camera",
  tryon_photo: "Use a photo",
  tryon_save: "Save the picture",
  tryon_share: "Share",
  tryon_close: "Close try-on",
  tryon_loading: "Loading the try-on…",
  tryon_privacy: "Your camera and photos stay on this device: nothing is uploaded.",
  tryon_no_face: "No face found: face the camera in good light.",
  tryon_no_hand: "No hand found: show the back of your hand to the camera.",
  tryon_no_camera: "No camera is available: use a photo instead.",
  tryon_bad_photo: "This photo could not be read.",
  tryon_failed: "The try-on is not available right now.",
};

export const TRYON_FR = {
  tryon_open: "Essayer",
  tryon: "Essayage virtuel",
  tryon_alt: "Vous portant le design",
  tryon_camera: "Utiliser ma caméra",
  tryon_photo: "Utiliser une photo",
  tryon_save: "Enregistrer l’image",
  tryon_share: "Partager",
  tryon_close: "Fermer l’essayage",
  tryon_loading: "Chargement de l’essayage…",
  tryon_privacy: "Votre caméra et vos photos restent sur cet appareil : rien n’est envoyé.",
  tryon_no_face: "Aucun visage trouvé : placez-vous face à la caméra, bien éclairé.",
  tryon_no_hand: "Aucune main trouvée : montrez le dos de votre main à la caméra.",
  tryon_no_camera: "Aucune caméra disponible : utilisez plutôt une photo.",
  tryon_bad_photo: "Cette photo n’a pas pu être lue.",
  tryon_failed: "L’essayage n’est pas disponible pour le moment.",
};
