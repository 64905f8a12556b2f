"""French templates for tickets, internal e-mails, CVs and contracts.

Fields in braces are filled by the text builder; personal data fields (person,
colleague, sender, phone, email, address, bank_account, national_id, siret, siren) are
recorded as gold spans. The wording imitates what customers and colleagues really write.
"""

TICKET_OPENINGS = ("Bonjour,", "Bonjour Madame, Monsieur,", "Bonsoir,", "Madame, Monsieur,", "Hello,", "")

TICKET_BODIES = {
    "delivery": (
        "Ma commande {order} devait être livrée le {date} et je n'ai toujours rien reçu.",
        "Le livreur n'est jamais passé pour la commande {order}, pourtant le suivi indique « livré ».",
        "La commande {order} est arrivée incomplète : il manque le {product}.",
    ),
    "billing": (
        "La facture {invoice} m'a été facturée deux fois, merci de me rembourser sur mon IBAN {bank_account}.",
        "Je ne comprends pas le montant de {amount} € sur la facture {invoice}.",
        "Pouvez-vous m'envoyer un duplicata de la facture {invoice} ? "
        "Le prélèvement sur le compte {bank_account} a été rejeté.",
    ),
    "defect": (
        "Le {product} reçu avec la commande {order} est abîmé, un pied est cassé.",
        "Le {product} grince depuis la première semaine, c'est inacceptable pour ce prix.",
        "Le mécanisme du {product} ne fonctionne plus, je demande un échange.",
    ),
    "return": (
        "Je souhaite retourner le {product} (commande {order}), il ne correspond pas à la description.",
        "Comment organiser le retour du {product} ? Il ne rentre pas dans mon bureau.",
    ),
    "cancellation": (
        "Je souhaite résilier mon contrat, trop de problèmes depuis des mois.",
        "Suite aux retards répétés, nous envisageons de changer de fournisseur.",
        "Merci d'annuler la commande {order}, je l'ai trouvée moins chère ailleurs.",
    ),
    "account": (
        "Merci de mettre à jour mon adresse de livraison : {address}.",
        "Mon adresse e-mail a changé, la nouvelle est {email}.",
        "Je n'arrive plus à me connecter à mon espace client avec l'adresse {email}.",
    ),
}

TICKET_CONTACTS = (
    "Vous pouvez me joindre au {phone}.",
    "Merci de me rappeler au {phone} entre 9h et 12h.",
    "Mon numéro : {phone}.",
    "Répondez-moi plutôt à {email}.",
    "Adresse de livraison : {address}.",
    "Tél. {phone} / {email}",
    "",
)

TICKET_CLOSINGS = (
    "Cordialement,\n{person}", "Merci d'avance.\n{person}", "Bien à vous,\n{person}",
    "{person}", "Cdlt, {person}", "Merci,\n{person}\n{phone}",
)

EMAIL_TOPICS = {
    "hr": (
        ("Dossier de {person}", "Bonjour {colleague},\n\nPeux-tu mettre à jour le dossier de {person} ? "
         "Nouvelle adresse : {address}. Son numéro de sécurité sociale est le {national_id}.\n\nMerci,\n{sender}"),
        ("Arrêt maladie", "{colleague},\n\n{person} sera absent(e) jusqu'au {date}. "
         "En cas d'urgence, son portable : {phone}.\n\n{sender}"),
        ("Mutuelle", "Bonjour,\n\nLa mutuelle demande le NIR de {person} : {national_id}. "
         "Merci de vérifier avant envoi.\n\nBonne journée,\n{sender}"),
        ("Entretien annuel", "Bonjour {colleague},\n\nL'entretien annuel de {person} est prévu le {date}. "
         "Tu peux le/la joindre au {phone} ou à {email}.\n\n{sender}"),
    ),
    "finance": (
        ("Changement de RIB fournisseur", "Bonjour {colleague},\n\n{company} nous demande de payer désormais "
         "sur l'IBAN {bank_account}. Le contact chez eux est {person} ({phone}).\n\nCordialement,\n{sender}"),
        ("Relance facture {invoice}", "Bonjour,\n\nLa facture {invoice} de {amount} € reste impayée. "
         "Le client, {person}, est joignable au {phone}.\n\n{sender}"),
        ("Note de frais", "{colleague},\n\nMerci de rembourser la note de frais de {person} "
         "sur son compte {bank_account}.\n\n{sender}"),
    ),
    "sales": (
        ("Nouveau client", "Salut {colleague},\n\nJ'ai signé {company} (SIRET {siret}). "
         "Contact : {person}, {email}, {phone}.\n\n{sender}"),
        ("Rendez-vous", "Bonjour {colleague},\n\nRendez-vous le {date} chez {person}, {address}. "
         "Son numéro au cas où : {phone}.\n\n{sender}"),
        ("Devis", "Bonjour,\n\nPeux-tu préparer un devis de {amount} € pour {company} (SIREN {siren}) ? "
         "Envoyer à {email}.\n\nMerci\n{sender}"),
    ),
    "support": (
        ("Client mécontent", "{colleague},\n\n{person} a encore appelé ({phone}) pour la commande {order}. "
         "Peux-tu le/la rappeler ?\n\n{sender}"),
        ("Geste commercial", "Bonjour {colleague},\n\nOK pour un geste commercial de {amount} € pour {person} "
         "({email}).\n\n{sender}"),
    ),
    "it": (
        ("Accès", "Bonjour {colleague},\n\nMerci de créer un compte pour {person} ({email}), "
         "arrivée le {date}.\n\n{sender}"),
        ("Mot de passe", "{colleague},\n\n{person} n'arrive plus à se connecter. "
         "Rappelle-le/la au {phone}.\n\n{sender}"),
    ),
}

CV_HEADER = "{person}\n{address}\n{phone} · {email}\n"
CV_BIRTH = ("Né le {birth_date}", "Née le {birth_date}")  # French CVs agree the participle
CV_TITLE = "\nCandidature : {job_title}\n"
CV_EXPERIENCE = "\nEXPÉRIENCE PROFESSIONNELLE\n"
CV_JOB_LINE = "{start}–{end} : {title}, {company}\n"
CV_EDUCATION = "\nFORMATION\n{graduation_year} : {education}\n"
CV_SKILLS = "\nCOMPÉTENCES\n{skills}\n"
CV_SKILLS_POOL = (
    "Excel avancé", "SQL", "Python", "gestion de projet", "négociation", "SAP", "Salesforce",
    "anglais courant", "management d'équipe", "comptabilité", "droit social", "logistique",
    "Power BI", "relation client", "paie", "marketing digital", "CACES 3", "permis B",
)

CONTRACT_TEMPLATE = (
    "CONTRAT DE PRESTATION N° {contract_number}\n\n"
    "Entre {our_company}, ci-après « le Prestataire », et {company}, SIRET {siret}, "
    "dont le siège est situé {address}, représentée par {person}, ci-après « le Client ».\n\n"
    "Article 1 – Objet. Le Prestataire fournit au Client du mobilier et des prestations d'aménagement.\n\n"
    "Article 2 – Durée. Le présent contrat est conclu pour une durée de {duration_months} mois "
    "à compter du {start_date}. {renewal}\n\n"
    "Article 3 – Résiliation. Chaque partie peut résilier le contrat par lettre recommandée "
    "moyennant un préavis de {notice_days} jours.\n\n"
    "Article 4 – Pénalités. Tout retard de livraison donne lieu à une pénalité de {penalty} % "
    "du montant de la commande par semaine de retard{penalty_cap}.\n\n"
    "{data_processing}"
    "Article 6 – Responsabilité. {liability}\n\n"
    "Contact pour l'exécution du contrat : {person}, {email}, {phone}.\n\n"
    "Fait à {city}, le {start_date}.\n"
)
CONTRACT_RENEWAL = ("Il se renouvelle ensuite par tacite reconduction pour des périodes de 12 mois.",
                    "Il ne se renouvelle pas tacitement.")
CONTRACT_PENALTY_CAP = (", dans la limite de 10 % du montant total", "")
CONTRACT_DATA_PROCESSING = (
    "Article 5 – Données personnelles. Le Prestataire agit en qualité de sous-traitant au sens de "
    "l'article 28 du RGPD ; il ne traite les données que sur instruction documentée du Client.\n\n",
    "Article 5 – Données. Le Prestataire pourra utiliser les données transmises par le Client "
    "pour ses propres besoins commerciaux.\n\n",
)
CONTRACT_LIABILITY = (
    "La responsabilité du Prestataire est limitée au montant annuel du contrat.",
    "Le Prestataire est responsable sans limitation de tous les dommages directs et indirects.",
)
