# L'aide de la ligne de commande en français, posée sur l'aide anglaise (les commentaires de
# src/cli.rs, qui restent la référence) par identifiant de commande et d'argument :
#   help-<commande>-about            le résumé d'une commande (.long : le texte de --help) ;
#   help-<commande>-arg-<id>         l'aide d'un argument de cette commande ;
#   help-arg-<id>                    l'aide d'un argument partagé par plusieurs commandes.
# tests/french.rs échoue sur toute commande ou tout argument sans texte ici, et sur tout
# identifiant d'ici qui ne désigne plus rien.

## postgate

help-about = Un garde-fou pour publier sur les comptes officiels de réseaux sociaux : il montre le compte, demande son identifiant, garde les secrets dans le trousseau du système, publie une seule fois et consigne tout.
    .long =
        Un garde-fou pour publier sur les comptes officiels de réseaux sociaux.

        postgate montre quel compte recevra une publication, fait taper l'identifiant de ce compte par une personne (ou le fait passer par un script avec --confirm-handle), prend l'accès dans le trousseau du système, publie une seule fois et consigne chaque tentative dans un journal d'audit infalsifiable.

## Arguments partagés

help-arg-policy = Fichier de politique à utiliser au lieu de la recherche habituelle
help-arg-json = Afficher les résultats sur stdout en JSON
help-arg-color = Quand colorer le bandeau et les messages
help-arg-account = Nom du compte, comme dans le `name` de la politique
help-arg-name = Nom du compte, comme dans le `name` de la politique (ou -a NOM)
help-arg-confirm_handle = L'identifiant du compte cible, pour les scripts. Doit correspondre à celui de la politique
help-arg-dry_run = Tout faire sauf la modification elle-même ; le bandeau et l'enregistrement d'audit le disent
help-arg-text = Le texte de la publication ; `-` le lit sur stdin. Sans texte ni --file, un terminal ouvre $VISUAL ou $EDITOR
help-arg-file = Lire le texte de la publication dans un fichier (`-` pour stdin)
help-arg-reply_to = La publication à laquelle celle-ci répond : son id ou son URL
help-arg-language = La langue de la publication (ISO 639, p. ex. `fr`) ; par défaut la `language` du compte
help-arg-cw = Un avertissement de contenu affiché avant la publication (`spoiler_text` de Mastodon)
help-arg-visibility = Qui voit la publication, là où la plateforme a des audiences ; par défaut la `visibility` du compte
help-arg-image = Joindre une image (.png, .jpg, .gif, .webp) ; à répéter pour plusieurs
help-arg-alt = La description d'une image, pour qui ne peut pas la voir ; le premier --alt va avec la première --image, et ainsi de suite
help-arg-key = La clé du trousseau avec laquelle signer (`postgate keys new`) ; par défaut le nom de l'utilisateur du système
help-arg-ssh_key = Signer avec une clé SSH via ssh-keygen (un fichier de clé privée, ou un .pub dont la clé est dans ssh-agent)
help-arg-dir = Le dossier de la file

## post, correct, delete

help-post-about = Publier après avoir montré le bandeau et confirmé le compte
help-correct-about = Corriger une publication : une modification à l'historique public (Mastodon ; X avec `correction = "edit"`), une réponse (Bluesky, X)
help-correct-arg-words = La publication à corriger (son id ou son URL), puis le texte corrigé ; sans -a, le nom du compte vient en premier. Un texte `-` le lit sur stdin ; sans texte ni --file, un terminal ouvre $VISUAL ou $EDITOR
help-correct-arg-file = Lire le texte corrigé dans un fichier (`-` pour stdin)
help-delete-about = Supprimer une publication, là où la politique du compte le permet (allow_delete)
help-delete-arg-words = La publication à supprimer (son id ou son URL) ; sans -a, le nom du compte vient en premier
help-delete-arg-reason = Pourquoi la publication est supprimée ; consigné dans le journal d'audit, jamais publié

## check

help-check-about = Vérifier des brouillons selon les règles de la politique, comme un correcteur de style (pour les pull requests)
    .long =
        Vérifier des brouillons selon les règles de la politique, comme un correcteur de style (pour les pull requests).

        Affiche une ligne par constat, `fichier:ligne:colonne niveau règle message (suggestion)`, et sort avec le code 4 si une règle de niveau `deny` a trouvé quelque chose.
help-check-arg-account = Le compte dont les règles s'appliquent ; un brouillon peut le nommer dans son en-tête à la place
help-check-arg-paths = Fichiers de brouillons, ou dossiers où chercher les brouillons .md et .txt ; `-` lit un brouillon sur stdin
help-check-arg-format = Format de sortie ; le --json global équivaut à --format json
help-check-arg-at = Juger aussi les heures calmes et le rythme de publication à ce moment : `now`, ou RFC 3339 comme 2026-12-01T23:30:00+01:00. Sans lui, le `publish_at` du brouillon sert s'il en a un

## plan, sign, approve, apply

help-plan-about = Écrire un plan : la publication arrêtée (texte, images, compte, fenêtre) pour relecture
    .long =
        Écrire un plan : la publication arrêtée (texte, images, compte, fenêtre) pour relecture.

        Le plan est un fichier TOML lisible par une personne ; `approve` le signe et `apply` le publie exactement tel qu'il est écrit.
help-plan-arg-publish_at = Pas de publication avant ce moment (RFC 3339 avec son décalage)
help-plan-arg-expires = Plus de publication à partir de ce moment (RFC 3339) ; par défaut une semaine après --publish-at, ou après maintenant
help-plan-arg-correct = Planifier la correction de cette publication (id ou URL) au lieu d'une nouvelle publication
help-plan-arg-output = Où écrire le plan
help-plan-arg-key = La clé du trousseau avec laquelle signer le plan comme auteur (`postgate keys new`) ; par défaut le nom de l'utilisateur du système. Un plan qui demande une approbation est toujours signé par son auteur
help-plan-arg-ssh_key = Signer le plan comme auteur avec une clé SSH via ssh-keygen
help-sign-about = Signer un plan ou un élément de file comme son auteur (PLAN.author.sig), avec une clé que la politique connaît
    .long =
        Signer un plan ou un élément de file comme son auteur (PLAN.author.sig), avec une clé que la politique connaît.

        Un plan qui demande une approbation ne compte que les approbations d'autres personnes que son auteur prouvé ; `plan` signe ce qu'il écrit, `sign` signe un élément de file ou signe un plan à nouveau.
help-sign-arg-plan = Le fichier du plan, ou un élément de file (un brouillon avec en-tête), que vous avez écrit
help-sign-arg-plan_hash = Pour les scripts : le plan_hash de ce que vous avez écrit ; la signature n'a lieu que s'il correspond
help-approve-about = Signer un plan ou un élément de file comme l'un des approbateurs de la politique
help-approve-arg-plan = Le fichier du plan, ou un élément de file (un brouillon avec en-tête)
help-approve-arg-plan_hash = Pour les scripts : le plan_hash que vous avez relu ; la signature n'a lieu que s'il correspond
help-apply-about = Publier un plan exactement tel qu'approuvé, après avoir tout vérifié à nouveau
help-apply-arg-plan = Le fichier du plan

## queue

help-queue-about = Un dossier de publications préparées : le vérifier sur les pull requests, publier ce qui est dû selon un calendrier
help-queue-check-about = Vérifier chaque élément et ses approbations, comme `check` (pour les pull requests)
help-queue-check-arg-require_approved = Échouer (code 11) quand un élément n'a pas les approbations qu'il lui faut, pas seulement quand une signature est mauvaise
help-queue-publish-about = Publier une fois, dans l'ordre, chaque élément dû et approuvé (pour les tâches planifiées)
help-queue-publish-arg-due = Publier les éléments dont l'heure est venue (obligatoire : publier n'est jamais implicite)
help-queue-publish-arg-confirm_handle = L'identifiant d'un compte sur lequel la file publie ; à répéter pour chaque compte
help-queue-publish-arg-checkpoint = À la fin de l'exécution, signer un point de contrôle du journal d'audit (`log checkpoint`) et l'écrire dans ce fichier, jamais par-dessus un fichier existant : une trace de témoins pour le dépôt de la CI
help-queue-publish-arg-key = La clé d'approbation du trousseau avec laquelle signer le point de contrôle ; par défaut le nom de l'utilisateur du système
help-queue-publish-arg-ssh_key = Signer le point de contrôle avec une clé SSH via ssh-keygen

## keys

help-keys-about = Les clés d'approbation gardées dans le trousseau du système, et les passkeys des approbateurs
help-keys-new-about = Créer une clé d'approbation ed25519 dans le trousseau et afficher sa clé publique pour la politique
help-keys-new-arg-name = Le nom de la clé ; par défaut le nom de l'utilisateur du système
help-keys-show-about = Afficher la clé publique d'une clé d'approbation du trousseau
help-keys-show-arg-name = Le nom de la clé ; par défaut le nom de l'utilisateur du système
help-keys-passkey-about = Les passkeys des approbateurs, pour la page de relecture
help-keys-passkey-enroll-about = Servir une page à usage unique où un approbateur crée une passkey, puis afficher son entrée [[approvers]]
    .long =
        Servir une page à usage unique où un approbateur crée une passkey, puis afficher son entrée [[approvers]].

        L'approbateur ouvre l'adresse affichée sur l'appareil qui gardera la passkey (un téléphone, un ordinateur). L'entrée s'affiche sur stdout une fois la passkey créée ; elle ne compte qu'une fois dans la politique, par une modification relue.
help-keys-passkey-enroll-arg-name = Le nom de l'approbateur, comme dans [[approvers]]
help-keys-passkey-enroll-arg-origin = L'origine de la page de relecture où la passkey approuvera : https://HÔTE[:PORT], ou http://localhost:PORT sur la machine même de l'approbateur
help-keys-passkey-enroll-arg-rp_id = L'identifiant de la partie de confiance (RP id) ; par défaut l'hôte de l'origine
help-keys-passkey-enroll-arg-listen = Où écouter ; par défaut 127.0.0.1 et le port de l'origine
help-arg-tls_cert = Servir en HTTPS avec cette chaîne de certificats PEM (avec --tls-key)
help-arg-tls_key = La clé privée PEM de --tls-cert

## review

help-review-about = Des pages web où les approbateurs relisent les plans et les approuvent avec une passkey
help-review-serve-about = Servir en pages web les plans qui attendent une approbation, approuvés avec les passkeys des approbateurs
    .long =
        Servir en pages web les plans qui attendent une approbation, approuvés avec les passkeys des approbateurs.

        Seuls les plans et les dossiers de file nommés sont servis. Une approbation y est vérifiée exactement comme `apply` la vérifie, puis écrite à côté du plan, PLAN.APPROBATEUR.webauthn.json. Affiche l'adresse sur stdout ; Ctrl-C arrête.
help-review-serve-arg-sources = Les fichiers de plan et les dossiers de file à servir
help-review-serve-arg-listen = Où écouter
help-review-serve-arg-origin = L'origine qu'ouvrent les approbateurs, telle que leurs passkeys la nomment ; par défaut http://localhost:PORT (https avec --tls-cert)

## lockdown, unlock

help-lockdown-about = Arrêter un compte tout de suite : le verrouiller, révoquer son accès auprès de la plateforme, vider le trousseau
    .long =
        Arrêter un compte tout de suite : le verrouiller, révoquer son accès auprès de la plateforme, vider le trousseau.

        Tout `post`, `correct`, `delete`, `apply` et `queue publish` ultérieur vers un compte verrouillé est refusé (code 12) avec la raison, qui l'a verrouillé et quand, jusqu'à ce qu'un approbateur signe `unlock`.
help-lockdown-arg-names = Les comptes à verrouiller (ou -a NOM, répétable)
help-lockdown-arg-account = Un compte à verrouiller, comme dans le `name` de la politique ; à répéter pour plusieurs
help-lockdown-arg-all = Verrouiller tous les comptes de la politique
help-lockdown-arg-reason = Pourquoi : gardé dans le verrou, le journal d'audit et chaque refus qu'il cause
help-unlock-about = Lever un verrouillage sur la signature d'un approbateur ; un nouveau `login` est ensuite nécessaire
help-unlock-arg-name = Le compte verrouillé (ou -a NOM)
help-unlock-arg-account = Le compte verrouillé, comme dans le `name` de la politique
help-unlock-arg-sign = Signer le déverrouillage comme approbateur (le verrou reste jusqu'à ce que `postgate unlock NOM` soit lancé)
help-unlock-arg-key = La clé du trousseau avec laquelle signer ; par défaut le nom de l'utilisateur du système
help-unlock-arg-ssh_key = Signer avec une clé SSH via ssh-keygen
help-unlock-arg-lock_id = Pour les scripts : l'id du verrou que vous avez relu ; la signature n'a lieu que s'il correspond

## reconcile

help-reconcile-about = Lister les publications récentes d'un compte sur la plateforme et signaler celles que postgate n'a pas faites
    .long =
        Lister les publications récentes d'un compte sur la plateforme et signaler celles que postgate n'a pas faites.

        Sort avec le code 13 quand il en trouve une, pour qu'une tâche cron toutes les 5 minutes donne l'alarme.
help-reconcile-arg-names = Les comptes à vérifier (ou -a NOM, répétable)
help-reconcile-arg-account = Un compte à vérifier, comme dans le `name` de la politique ; à répéter pour plusieurs
help-reconcile-arg-all = Vérifier tous les comptes de la politique
help-reconcile-arg-since = Jusqu'où remonter : `30m`, `24h`, `7d`, ou un moment RFC 3339
help-reconcile-arg-on_foreign = Lancer cette commande (avec `sh -c`) une fois par publication étrangère ; la publication est dans l'environnement en POSTGATE_ACCOUNT, POSTGATE_POST_ID, POSTGATE_POST_URL, POSTGATE_POST_TIME, POSTGATE_POST_TEXT (assaini, au plus 4 Kio) et POSTGATE_POST_NEW (1 la première fois qu'elle est vue) ; le texte entier est sur son stdin et dans le fichier POSTGATE_POST_TEXT_FILE
help-reconcile-arg-hook_timeout = Secondes que peut prendre une exécution de --on-foreign ; ensuite son groupe de processus est tué
help-reconcile-arg-audit_logs = Un autre journal d'audit dont les publications comptent comme celles de postgate (la copie d'un exécuteur de CI) ; répétable
help-reconcile-arg-checkpoint = À la fin de l'exécution, signer un point de contrôle du journal d'audit (`log checkpoint`) et l'écrire dans ce fichier, jamais par-dessus un fichier existant : une trace de témoins pour le dépôt de la CI
help-reconcile-arg-key = La clé d'approbation du trousseau avec laquelle signer le point de contrôle ; par défaut le nom de l'utilisateur du système
help-reconcile-arg-ssh_key = Signer le point de contrôle avec une clé SSH via ssh-keygen

## whoami, login, logout, accounts

help-whoami-about = Montrer à qui la plateforme dit que l'accès d'un compte appartient, à côté de la politique
help-login-about = Enregistrer l'accès d'un compte dans le trousseau du système, une fois que la plateforme a dit à qui il est : un secret tapé à l'abri des regards ou lu sur stdin, la connexion OAuth de X dans le navigateur, ou l'échange de jetons de Facebook (`app_id`)
help-login-arg-secret_stdin = Lire le secret sur stdin au lieu d'une saisie masquée (pour les scripts et les gestionnaires de mots de passe) ; un par ligne là où la plateforme en demande plusieurs
help-login-arg-paste = X : prendre sur stdin l'adresse vers laquelle le navigateur a été redirigé au lieu de l'attendre (une machine sans navigateur)
help-login-arg-no_browser = X : afficher l'adresse d'autorisation sur stderr sans ouvrir de navigateur
help-login-arg-oauth1 = X : enregistrer des clés OAuth 1.0a (clé et secret du consommateur, jeton d'accès et son secret), qui n'expirent pas : pour les exécuteurs de CI
help-login-arg-store = Enregistrer le mot de passe du magasin partagé ([audit.shared]) au lieu de l'accès d'un compte, une fois que le magasin l'a accepté
help-login-arg-app_bearer = X et Facebook : enregistrer le jeton propre à l'application à côté de l'accès de publication : sur X le jeton « app-only » avec lequel `reconcile` lit (`reconcile_credential = "app-bearer"`), sur Facebook le jeton d'application avec lequel `debug_token` vérifie celui de la Page (`debug_token = true`)
help-logout-about = Retirer le secret d'un compte du trousseau
help-accounts-about = Lister les comptes de la politique et l'état de leurs accès

## log

help-log-about = Lister ou vérifier le journal d'audit
help-log-arg-account = Seulement les enregistrements de ce compte
help-log-arg-since = Seulement les enregistrements plus récents que cela, comme `24h`, `7d` ou `90m`
help-log-verify-about = Vérifier toute la chaîne de hachage ; sort en erreur au premier enregistrement rompu
help-log-verify-arg-store = Vérifier aussi le magasin partagé : la chaîne de chaque machine complète et liée, et le fichier de cette machine d'accord avec sa chaîne
help-store-about = Le magasin partagé de l'équipe ([audit.shared]) : créer son schéma, envoyer les enregistrements en attente
help-store-init-about = Créer les tables du magasin (en tant que propriétaire de la base) et accorder à ROLE INSERT et SELECT sur elles ; affiche le SQL exécuté
help-store-init-arg-grant = Le rôle sous lequel postgate se connecte sur chaque machine ; il reçoit INSERT et SELECT, rien de plus
help-store-init-arg-user = Se connecter sous cet utilisateur (le propriétaire de la base) au lieu de celui de l'URL ; son mot de passe vient des mêmes endroits (trousseau, .pgpass, `password_env`)
help-store-sync-about = Envoyer les enregistrements du journal de cette machine que le magasin n'a pas encore
help-log-verify-arg-checkpoint = Vérifier aussi un point de contrôle signé : le journal contient toujours sa tête à sa taille, et sa signature est celle d'un des approbateurs de la politique
help-log-checkpoint-about = Signer la taille du journal et le hachage de sa tête avec une clé d'approbation, comme un point de contrôle que d'autres gardent
help-log-checkpoint-arg-key = La clé d'approbation du trousseau avec laquelle signer le point de contrôle ; par défaut le nom de l'utilisateur du système
help-log-checkpoint-arg-ssh_key = Signer le point de contrôle avec une clé SSH via ssh-keygen
help-log-checkpoint-arg-output = Écrire le point de contrôle dans ce fichier (jamais par-dessus un fichier existant) au lieu de stdout
help-log-repair-about = Déplacer une dernière ligne déchirée (une écriture interrompue) dans un fichier à part, et le consigner
help-log-who-about = Qui a publié une publication et comment : la trace de la tentative, puis ses corrections et sa suppression
help-log-who-arg-post = L'identifiant ou l'URL de la publication (à un `/` final ou un `www.` près, elle doit correspondre exactement)
help-log-who-arg-audit_logs = Le journal d'audit d'une autre machine à lire aussi (la copie d'un exécuteur de CI) ; répétable
help-log-stats-about = Ce que coûtent les approbations, par compte : publications, refus par règle, corrections, suppressions, et la médiane et le 90e centile du temps entre un plan et sa dernière approbation, puis jusqu'à sa publication
help-log-stats-arg-since = Seulement ce qui s'est passé dans cette dernière période, comme `30d`, `12h` ou `2w`

## policy, completions, man

help-policy-about = Valider et examiner la politique
help-policy-check-about = Valider la politique et lister ses comptes
help-policy-show-about = Montrer les réglages effectifs et les règles d'un compte
help-completions-about = Afficher un script de complétion pour un shell
help-completions-arg-shell = Le shell pour lequel générer la complétion
help-man-about = Afficher une page de manuel (roff) sur stdout, ou écrire toutes les pages dans un dossier
    .long =
        Afficher une page de manuel (roff) sur stdout, ou écrire toutes les pages dans un dossier.

        `postgate man` est postgate(1), la page qui liste toutes les commandes ; `postgate man queue publish` est postgate-queue-publish(1) ; `postgate man --dir DIR` les écrit toutes, un fichier par commande, comme les empaqueteurs et `MANPATH` l'attendent. Les pages de manuel sont en anglais.
help-man-arg-command = La commande dont afficher la page, telle que tapée après `postgate` (`queue publish`)
help-man-arg-dir = Écrire toutes les pages (postgate.1, postgate-post.1, …) dans ce dossier, en le créant
help-init-about = Écrire une politique de départ dans le dossier de configuration : des comptes de démonstration, des règles en commentaire, vous comme approbateur
    .long =
        Écrire une politique de départ dans le dossier de configuration : des comptes de démonstration, des règles en commentaire, vous comme approbateur.

        Le fichier est `$XDG_CONFIG_HOME/postgate/policy.toml` (ou `--policy FICHIER`) ; son chemin est affiché sur stdout. Un fichier existant n'est jamais remplacé sans `--force`. Là où une politique système (/etc/postgate/policy.toml) existe, elle seule nomme les approbateurs : la politique de départ n'en liste aucun et affiche votre clé publique pour ses responsables.
help-init-arg-force = Remplacer une politique existante, en la gardant à côté de la nouvelle sous le nom `policy.toml.<heure>.bak`
help-init-arg-key = La clé d'approbation du trousseau à inscrire comme la vôtre (créée si elle manque) ; par défaut le nom de l'utilisateur du système
help-init-arg-ssh_key = Inscrire cette clé publique SSH comme la vôtre au lieu d'une clé du trousseau (`unlock --sign --ssh-key`)
help-init-arg-no_key = Ne pas toucher au trousseau : l'entrée d'approbateur reste en commentaire, avec la commande à lancer (`keys new NOM`, NOM venant de --key)

## Les arguments que clap ajoute lui-même

help-arg-help = Afficher l'aide (plus de détails avec --help)
help-arg-version = Afficher la version
help-help-about = Afficher ce message ou l'aide de la sous-commande donnée
