// The signed-in person's pets and the active one: the pet new posts, stories
// and reels are by. The API has no field for it, so it is remembered on this
// device (localStorage 'petamigos.activePet'); a pet that no longer exists
// falls back to the first.
import { get } from './api.js';

const ACTIVE_KEY = 'petamigos.activePet';

// Common species first; anything else is typed in ("other").
export const SPECIES = ['dog', 'cat', 'rabbit', 'hamster', 'guinea pig', 'parrot', 'fish', 'turtle', 'horse'];

// 'guinea pig' → t('petedit.species.guinea_pig'); unknown species show as typed.
export function speciesLabel(t, species) {
  return SPECIES.includes(species) ? t(`petedit.species.${species.replace(' ', '_')}`) : species;
}

// → {ok, pets} | {ok: false, error}
export async function myPets() {
  const r = await get('/api/v1/me/pets');
  return r.ok ? { ok: true, pets: r.data.pets } : r;
}

export function activePetId(pets) {
  let id = null;
  try {
    id = localStorage.getItem(ACTIVE_KEY);
  } catch {
    // storage off: the first pet
  }
  return pets.some((p) => p.id === id) ? id : pets[0]?.id ?? null;
}

export function setActivePetId(id) {
  try {
    if (id) localStorage.setItem(ACTIVE_KEY, id);
    else localStorage.removeItem(ACTIVE_KEY);
  } catch {
    // not remembered; still used for this post
  }
  dispatchEvent(new CustomEvent('pa:active-pet', { detail: { id } }));
}

// The switcher the composers show: a labelled <select> of the person's pets;
// choosing one makes it the active pet. Returns the <select>.
export function mountPetSwitcher(container, pets, { t, id, selected, onChange = () => {} }) {
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = t('compose.postingAs');
  const select = document.createElement('select');
  select.id = id;
  select.name = 'pet';
  for (const pet of pets) {
    const option = document.createElement('option');
    option.value = pet.id;
    option.textContent = pet.name;
    select.append(option);
  }
  select.value = selected && pets.some((p) => p.id === selected) ? selected : activePetId(pets);
  select.addEventListener('change', () => {
    setActivePetId(select.value);
    onChange(select.value);
  });
  container.append(label, select);
  return select;
}
