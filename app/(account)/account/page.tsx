import type { Metadata } from "next";
import { AvatarSection } from "@/app/_components/account/AvatarSection";
import { DeleteAccountSection } from "@/app/_components/account/DeleteAccountSection";
import { EmailAddressesSection } from "@/app/_components/account/EmailAddressesSection";
import { PhoneNumbersSection } from "@/app/_components/account/PhoneNumbersSection";
import { ProfileSection } from "@/app/_components/account/ProfileSection";
import { auth, requireUser } from "@/lib/session/server";
import { getInstanceSettings, verificationStepContents } from "@/lib/settings";
import { getAccountProfile, listEmailAddresses, listPhoneNumbers } from "@/lib/users";

export const metadata: Metadata = { title: "Profile" };
export const dynamic = "force-dynamic";

/**
 * The account page (S7): profile picture, name and username, email
 * addresses, and deleting the account. The layout
 * (./layout.tsx) draws the header and the account navigation. Only the
 * fields each section shows are passed to the client: never the user row
 * (its private metadata stays on the server).
 */
export default async function ProfilePage() {
  const user = await requireUser();
  const [profile, emailAddresses, phoneNumbers, settings, session] = await Promise.all([
    getAccountProfile(user.id),
    listEmailAddresses(user.id),
    listPhoneNumbers(user.id),
    getInstanceSettings(),
    auth(),
  ]);
  // Issue 19: numbers are a sign-in method only where phone numbers are on (an SMS second factor's number is on Security).
  const phonesOn = settings.identifiers.phone;
  if (!profile) return null; // deleted between the layout's check and here: the next request signs out

  return (
    <>
      <h1 className="text-2xl font-semibold tracking-tight text-foreground">Profile</h1>
      <p className="mt-1 text-sm text-muted-foreground">How you appear to others, and the addresses you sign in with.</p>
      <div className="mt-8 grid grid-cols-1 gap-6">
        <AvatarSection
          user={{ id: profile.id, email: user.email, firstName: profile.firstName, lastName: profile.lastName, imageUrl: profile.imageUrl }}
        />
        <ProfileSection profile={{ firstName: profile.firstName, lastName: profile.lastName, username: profile.username }} />
        <EmailAddressesSection initialEmailAddresses={emailAddresses} verificationContents={verificationStepContents(settings)} />
        {phonesOn ? <PhoneNumbersSection initialPhoneNumbers={phoneNumbers} canAdd /> : null}
        <DeleteAccountSection email={user.email} impersonating={Boolean(session?.actor)} />
      </div>
    </>
  );
}
